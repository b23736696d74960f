"use client";

import { SCHEDULE_OVERLAPS, type ScheduleOverlap } from "@techscaniq/contracts/schedules";
import type { RouterOutputs } from "@techscaniq/api/client";
import { useState } from "react";
import { errorMessageOf } from "../../lib/api-error";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FieldError, FormAlert } from "../ui/field-error";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { EmptyState, ErrorState } from "../ui/states";
import { Textarea } from "../ui/textarea";
import { parseJsonObject, sampleInput } from "./json-input";
import type { AgentWorkspaceAgent } from "./agent-workspace";

type Schedule = RouterOutputs["agentSchedule"]["list"][number];

const OVERLAP_LABELS: Record<ScheduleOverlap, string> = {
  skip: "skip the slot (recorded as skipped)",
  buffer_one: "queue one behind the running run",
  allow: "run side by side",
};

/** The zones this browser knows (IANA), with UTC first; the browser's own zone is the default. */
function timeZones(): string[] {
  const zones = Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC");
  return ["UTC", ...zones];
}

/** An agent's schedules: add one (cron, zone, overlap, catch-up, input), their next runs, on/off, delete. */
export function SchedulesCard({ agent, canWrite }: { agent: AgentWorkspaceAgent; canWrite: boolean }) {
  const schedules = trpc.agentSchedule.list.useQuery({ agentId: agent.id });
  return (
    <Card data-testid="agent-schedules">
      <CardHeader>
        <CardTitle className="text-lg">Schedules</CardTitle>
        <CardDescription>
          Cron in a time zone (DST-aware). Slots missed while no worker ran are run late within the catch-up
          window and recorded as missed beyond it; a paused agent&apos;s slots pass without runs.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {schedules.error ? <ErrorState message={errorMessageOf(schedules.error)} /> : null}
        {schedules.data && schedules.data.length === 0 ? <EmptyState title="No schedules" /> : null}
        <ul className="flex flex-col divide-y divide-border text-sm">
          {schedules.data?.map((schedule) => (
            <ScheduleItem key={schedule.id} schedule={schedule} canWrite={canWrite} />
          ))}
        </ul>
        {canWrite && agent.currentVersion !== null && agent.status !== "archived" ? (
          <AddSchedule agent={agent} />
        ) : null}
      </CardContent>
    </Card>
  );
}

function ScheduleItem({ schedule, canWrite }: { schedule: Schedule; canWrite: boolean }) {
  const utils = trpc.useUtils();
  const next = trpc.agentSchedule.next.useQuery({ scheduleId: schedule.id, count: 5 });
  const refresh = () => {
    void utils.agentSchedule.list.invalidate({ agentId: schedule.agentId });
    void utils.agentSchedule.next.invalidate({ scheduleId: schedule.id });
    void utils.agent.status.invalidate({ agentId: schedule.agentId });
  };
  const enable = trpc.agentSchedule.enable.useMutation({ onSuccess: refresh });
  const disable = trpc.agentSchedule.disable.useMutation({ onSuccess: refresh });
  const remove = trpc.agentSchedule.delete.useMutation({ onSuccess: refresh });
  const error = enable.error ?? disable.error ?? remove.error;
  return (
    <li className="flex flex-col gap-2 py-3" data-testid="schedule" data-schedule-id={schedule.id}>
      <div className="flex flex-wrap items-center gap-3">
        <code className="font-mono">{schedule.cron}</code>
        <span>{schedule.timezone}</span>
        <span className="text-muted-foreground">
          overlap {schedule.overlap} · catch-up {schedule.catchUp} ·{" "}
          {schedule.enabled ? "enabled" : "disabled"}
        </span>
        {canWrite ? (
          <span className="ml-auto flex gap-2">
            {schedule.enabled ? (
              <Button
                size="sm"
                variant="secondary"
                onClick={() => disable.mutate({ scheduleId: schedule.id })}
                pending={disable.isPending}
              >
                Disable
              </Button>
            ) : (
              <Button
                size="sm"
                variant="secondary"
                onClick={() => enable.mutate({ scheduleId: schedule.id })}
                pending={enable.isPending}
              >
                Enable
              </Button>
            )}
            <Button
              size="sm"
              variant="destructive"
              onClick={() => remove.mutate({ scheduleId: schedule.id })}
              pending={remove.isPending}
            >
              Delete
            </Button>
          </span>
        ) : null}
      </div>
      {next.data ? (
        <div>
          <p className="text-muted-foreground">Next runs ({next.data.timezone}):</p>
          <ol className="font-mono text-xs" data-testid="schedule-next-runs">
            {next.data.runs.map((run) => (
              <li key={run}>{run}</li>
            ))}
          </ol>
        </div>
      ) : null}
      <FormAlert message={error ? errorMessageOf(error) : next.error ? errorMessageOf(next.error) : null} />
    </li>
  );
}

function AddSchedule({ agent }: { agent: AgentWorkspaceAgent }) {
  const utils = trpc.useUtils();
  const [cron, setCron] = useState("0 9 * * 1-5");
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC");
  const [overlap, setOverlap] = useState<ScheduleOverlap>("skip");
  const [catchUp, setCatchUp] = useState("0");
  const [inputText, setInputText] = useState(() =>
    JSON.stringify(sampleInput(agent.draftSpec.inputSchema), null, 2),
  );
  const [inputError, setInputError] = useState<string | null>(null);
  const create = trpc.agentSchedule.create.useMutation({
    onSuccess: () => {
      void utils.agentSchedule.list.invalidate({ agentId: agent.id });
      void utils.agent.status.invalidate({ agentId: agent.id });
    },
  });

  function submit() {
    const input = parseJsonObject(inputText);
    setInputError(input.ok ? null : input.error);
    if (input.ok) create.mutate({ agentId: agent.id, cron, timezone, overlap, catchUp, input: input.value });
  }

  return (
    <form
      className="flex flex-col gap-3 border-t border-border pt-4"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <p className="font-medium">Add a schedule</p>
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="schedule-cron">Cron (minute hour day month weekday)</Label>
          <Input
            id="schedule-cron"
            className="font-mono"
            value={cron}
            onChange={(event) => setCron(event.target.value)}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="schedule-timezone">Time zone</Label>
          <Select
            id="schedule-timezone"
            value={timezone}
            onChange={(event) => setTimezone(event.target.value)}
          >
            {timeZones().map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="schedule-overlap">While a run of this schedule is going</Label>
          <Select
            id="schedule-overlap"
            value={overlap}
            onChange={(event) => setOverlap(event.target.value as ScheduleOverlap)}
          >
            {SCHEDULE_OVERLAPS.map((policy) => (
              <option key={policy} value={policy}>
                {OVERLAP_LABELS[policy]}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="schedule-catchup">Catch-up window (0, 15m, 2h, 1d)</Label>
          <Input id="schedule-catchup" value={catchUp} onChange={(event) => setCatchUp(event.target.value)} />
        </div>
      </div>
      <Label htmlFor="schedule-input">Input of each run (JSON)</Label>
      <Textarea
        id="schedule-input"
        className="font-mono text-xs"
        rows={3}
        value={inputText}
        onChange={(event) => setInputText(event.target.value)}
        aria-invalid={inputError ? true : undefined}
        aria-describedby={inputError ? "schedule-input-error" : undefined}
      />
      <FieldError id="schedule-input-error" messages={inputError ? [inputError] : undefined} />
      <FormAlert message={create.error ? errorMessageOf(create.error) : null} />
      <div>
        <Button type="submit" pending={create.isPending}>
          Add schedule
        </Button>
      </div>
    </form>
  );
}
