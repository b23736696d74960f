import { lookup } from "node:dns/promises";
import type { Resolver } from "@techscaniq/contracts/address";

export * from "@techscaniq/contracts/address";

export const systemResolver: Resolver = async (hostname) => {
  const answers = await lookup(hostname, { all: true, verbatim: true });
  return answers.map((answer) => ({ address: answer.address, family: answer.family === 6 ? 6 : 4 }));
};
