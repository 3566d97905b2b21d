import { z } from 'zod';

/**
 * An action is one thing a person can ask the agent to do: an id, a zod schema for its input, a
 * title a person understands, what it does to their world, and the code that does it. Actions live
 * with their capability (`src/peers/peers.actions.ts`, `src/calendar/calendar.actions.ts`, …) and are
 * registered once, in `src/agent`'s action registry; every surface — the RPC server behind the popup,
 * side panel and options page, the command palette, the model's tools, the Google Calendar layer —
 * dispatches to that registry and none re-implements an operation (docs/protocol/agent.md ACT1–ACT6).
 *
 * `run` receives the input as its schema parsed it and the capability's own context (its service,
 * resolved by the registry: an action that needs the unlocked agent gets it, or the call fails
 * `locked`). It throws `ParleyError` (src/errors) or its capability's own errors; the registry turns
 * the latter into codes with messages that say what to do.
 */

/** What an action does to the person's world. Surfaces ask before `change` and confirm twice before `danger`. */
export type ActionEffect = 'read' | 'change' | 'danger';

export interface Action<C, I extends z.ZodType, O> {
  readonly input: I;
  /** Says what it does, in the person's words: the palette's label, the model tool's description. */
  readonly title: string;
  readonly effect: ActionEffect;
  run(input: z.output<I>, context: C): Promise<O>;
}

// The registry stores actions of any context, input and output; each group stays precisely typed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = Action<any, z.ZodType, unknown>;
export type ActionGroup = Readonly<Record<string, AnyAction>>;

export type ActionContext<A> = A extends Action<infer C, z.ZodType, unknown> ? C : never;
/** What a caller sends (before the schema's defaults and transforms). */
export type ActionInput<A> = A extends Action<unknown, infer I, unknown> ? z.input<I> : never;
export type ActionOutput<A> = A extends Action<never, z.ZodType, infer O> ? O : never;

/**
 * `const action = actionsFor<{ peers: PeerService }>();` then `action({ input, title, effect, run })`:
 * the input type flows from the schema into `run`, the output type from `run`'s result.
 */
export function actionsFor<C>() {
  return <I extends z.ZodType, O>(definition: Action<C, I, O>): Action<C, I, O> => definition;
}

/** The input of an action that takes none. */
export const NoInput = z.object({}).strict();

/** An agent id: the base64url Ed25519 public key (ADR 0001). */
export const AgentIdInput = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not an agent id');

/** A negotiation's id as the engine makes it. */
export const NegotiationIdInput = z.string().min(1).max(64);
