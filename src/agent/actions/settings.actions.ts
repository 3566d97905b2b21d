import { z } from 'zod';
import { NoInput, actionsFor } from '../../rpc';
import type { AgentSession } from '../session';

const action = actionsFor<AgentSession>();
const HttpUrl = z.url({ protocol: /^https?$/ });

const FirebaseSettingsInput = z
  .object({
    apiKey: z
      .string()
      .trim()
      .max(200)
      .regex(/^[A-Za-z0-9_-]*$/, 'an API key is letters, digits, - and _'),
    projectId: z
      .string()
      .trim()
      .max(100)
      .regex(/^([a-z0-9][a-z0-9-]*)?$/, 'a project id is lower-case letters, digits and -'),
    authDomain: z
      .string()
      .trim()
      .max(253)
      .regex(/^([A-Za-z0-9.-]+(:\d+)?)?$/, 'an auth domain is a host name such as my-app.firebaseapp.com'),
    emulatorUrl: z.union([z.literal(''), HttpUrl]),
  })
  .strict()
  .refine((f) => Boolean(f.apiKey) === Boolean(f.projectId), {
    message: 'fill in both the API key and the project id (or neither, to turn Firebase off)',
    path: ['projectId'],
  });

/** Where the agent reaches its relay, Google and Firebase, and how it introduces itself (ACT1). */
export const settingsActions = {
  'settings.get': action({
    input: NoInput,
    title: 'Show settings',
    effect: 'read',
    run: async (_, session) => session.currentSettings,
  }),
  'settings.set': action({
    input: z
      .object({
        relayUrl: z.url({ protocol: /^(https?|wss?)$/ }).optional(),
        displayName: z.string().trim().min(1).max(60).optional(),
        // ATT4: '' stops sharing; otherwise one address, put in the signed agent card.
        sharedEmail: z
          .union([z.literal(''), z.email('an e-mail address such as ana@example.com').max(254)])
          .optional(),
        google: z
          .object({
            clientId: z.string().trim().max(300),
            authUrl: HttpUrl,
            tokenUrl: HttpUrl,
            revokeUrl: HttpUrl,
            apiBaseUrl: HttpUrl,
          })
          .partial()
          .strict()
          .optional(),
        firebase: FirebaseSettingsInput.optional(),
        assistant: z
          .object({
            provider: z.enum(['builtin', 'openai', 'on-device']),
            baseUrl: HttpUrl,
            model: z
              .string()
              .trim()
              .min(1)
              .max(100)
              .regex(/^[\w.:/@-]+$/, 'a model name such as gpt-4o-mini or llama3.1:8b'),
          })
          .partial()
          .strict()
          .optional(),
      })
      .strict(),
    title: 'Change settings',
    effect: 'change',
    run: (patch, session) => session.updateSettings(withoutUndefined(patch)),
  }),
};

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
