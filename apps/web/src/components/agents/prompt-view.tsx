/** What the API answers for a prompt preview: buildAgentPrompt's messages and tool declarations. */
export interface PromptShape {
  messages: { role: string; content: string }[];
  tools: { name: string }[];
}

/** The exact messages and tool declarations of a run's first model call, as text (never as HTML). */
export function PromptView({ prompt }: { prompt: PromptShape }) {
  return (
    <div className="flex flex-col gap-3" data-testid="prompt-preview">
      {prompt.messages.map((message, index) => (
        <div key={index} className="flex flex-col gap-1">
          <span className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
            {message.role}
          </span>
          <pre
            className="overflow-x-auto rounded-(--radius-control) bg-muted p-3 text-xs whitespace-pre-wrap"
            data-testid={`prompt-message-${message.role}`}
          >
            {message.content}
          </pre>
        </div>
      ))}
      <p className="text-sm text-muted-foreground">
        Tools offered: <span className="font-mono">{prompt.tools.map((tool) => tool.name).join(", ")}</span>
      </p>
    </div>
  );
}
