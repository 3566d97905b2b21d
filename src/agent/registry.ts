import type { z } from 'zod';
import { ParleyError } from '../errors';
import { createLogger, errorFields } from '../log';
import type { ActionEffect, ActionGroup, ActionInput, ActionOutput, AnyAction } from '../rpc';
import { toParleyError, type ErrorMapper } from './errors';
import { describeIssue } from './field-words';

const log = createLogger('agent').child('actions');

/** What a surface may know about an action without running it: the palette's rows, the model's tools. */
export interface ActionInfo {
  readonly id: string;
  readonly title: string;
  readonly effect: ActionEffect;
  readonly input: z.ZodType;
}

interface Entry {
  readonly action: AnyAction;
  readonly context: () => Promise<unknown>;
}

/**
 * The one registry of actions (docs/protocol/agent.md ACT1–ACT4). Each capability's group is
 * registered once with the way to reach its context; every surface dispatches here:
 *
 *   surface (RPC server · palette · model tools · Calendar layer)
 *      └─ dispatch(id, input) ─ schema.safeParse ─ context() ─ action.run ─ errors → ParleyError
 *
 * `dispatch` is for untrusted input (it validates); `call` is the typed way in from our own code.
 */
export class ActionRegistry<A extends ActionGroup = Record<never, never>> {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly mappers: readonly ErrorMapper[] = []) {}

  /** [ACT2] Registers a group; an id registered twice is a bug found at start-up, not at call time. */
  register<G extends ActionGroup>(
    group: G,
    context: () => Promise<ContextOf<G>> | ContextOf<G>,
  ): ActionRegistry<A & G> {
    for (const [id, action] of Object.entries(group)) {
      if (this.#entries.has(id)) throw new Error(`action ${id} is registered twice`);
      this.#entries.set(id, { action, context: async () => context() });
    }
    return this as unknown as ActionRegistry<A & G>;
  }

  has(id: string): id is keyof A & string {
    return this.#entries.has(id);
  }

  /** Every action, in registration order. */
  list(): ActionInfo[] {
    return [...this.#entries].map(([id, { action }]) => ({
      id,
      title: action.title,
      effect: action.effect,
      input: action.input,
    }));
  }

  /**
   * [ACT3] Runs an action on input from outside: unknown ids are `unknown_method`, input that does
   * not parse is `bad_request` naming the field, and what the action throws leaves as a ParleyError
   * with a code and a message that says what to do (ACT4) — never a capability's raw error.
   */
  async dispatch(id: string, input: unknown): Promise<unknown> {
    const entry = this.#entries.get(id);
    if (!entry) {
      throw new ParleyError('unknown_method', `The agent has no action "${String(id).slice(0, 40)}".`);
    }
    const parsed = entry.action.input.safeParse(input ?? {});
    if (!parsed.success) {
      // [CLR1] In the person's words, naming the field as the form does; the path travels apart.
      const { field, message } = describeIssue(parsed.error.issues[0]);
      throw new ParleyError('bad_request', message, { field });
    }
    try {
      return await entry.action.run(parsed.data, await entry.context());
    } catch (error) {
      const mapped = toParleyError(error, this.mappers);
      if (mapped.code === 'internal') log.error('action_failed', { action: id, ...errorFields(error) });
      else log.info('action_refused', { action: id, code: mapped.code });
      throw mapped;
    }
  }

  /** The typed way in for the agent's own surfaces (palette, model tools) — still validated. */
  call<M extends keyof A & string>(id: M, input: ActionInput<A[M]>): Promise<ActionOutput<A[M]>> {
    return this.dispatch(id, input) as Promise<ActionOutput<A[M]>>;
  }
}

type ContextOf<G extends ActionGroup> = G[keyof G] extends { run(input: never, context: infer C): unknown }
  ? C
  : never;
