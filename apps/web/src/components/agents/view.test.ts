import { describe, expect, it } from "vitest";
import { agentActions, describeSpecChange, formatUsd, runActions, runStatusLabel } from "./view";

describe("agents: web agent and run pages", () => {
  it("offers cancel while a run may still act, a decision while it waits, retry once it ended", () => {
    expect(runActions({ status: "running", cancelRequestedAt: null })).toEqual({
      cancel: true,
      cancelling: false,
      decide: false,
      retry: false,
    });
    expect(runActions({ status: "waiting_approval", cancelRequestedAt: null })).toMatchObject({
      cancel: true,
      decide: true,
    });
    expect(runActions({ status: "queued", cancelRequestedAt: "2026-12-07T08:00:00Z" })).toMatchObject({
      cancelling: true,
    });
    for (const status of ["succeeded", "failed", "cancelled", "budget_exceeded"] as const)
      expect(runActions({ status, cancelRequestedAt: null })).toEqual({
        cancel: false,
        cancelling: false,
        decide: false,
        retry: true,
      });
    expect(runStatusLabel("waiting_approval")).toBe("waiting for approval");
  });

  it("follows the agent's status transitions", () => {
    expect(agentActions({ status: "draft", currentVersion: null })).toMatchObject({
      run: false,
      publish: true,
      archive: false,
      delete: true,
    });
    expect(agentActions({ status: "published", currentVersion: 1 })).toMatchObject({
      run: true,
      pause: true,
    });
    expect(agentActions({ status: "paused", currentVersion: 1 })).toMatchObject({ run: false, resume: true });
    expect(agentActions({ status: "archived", currentVersion: 2 })).toMatchObject({
      run: false,
      publish: false,
      edit: false,
    });
  });

  it("shows costs and version changes as plain text", () => {
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(0.000123)).toBe("$0.000123");
    expect(formatUsd(1.5)).toBe("$1.50");
    expect(describeSpecChange({ path: "budget.maxUsd", from: 1, to: 2 })).toBe("budget.maxUsd: 1 → 2");
    expect(describeSpecChange({ path: "outputs.actions", to: ["<b>x</b>"] })).toBe(
      'outputs.actions: added ["<b>x</b>"]',
    );
    expect(describeSpecChange({ path: "template", from: "stack-watch" })).toBe(
      'template: removed (was "stack-watch")',
    );
  });
});
