export { inferLayers } from "./infer";
export {
  DISTRIBUTION_CONVENTIONS,
  LAYER_INFERENCES,
  RULE_SET_INFERENCE_CONFIDENCE,
  type DistributionConvention,
  type LayerInference,
} from "./layers";
