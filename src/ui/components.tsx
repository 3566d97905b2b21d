import { Fragment, createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import type { ErrorCode, ErrorShape } from '../errors';
import { currentZone, setPersonZone } from './dates';
import { t, uiLanguage, type MessageKey } from './i18n';
import { useAgentQuery } from './rpc';

export { formatTime } from './dates';

/**
 * [I18N20] The error codes the pages translate. The background's messages are English and often name
 * the exact field or value; in English they are shown as they are, in another language the code's
 * translation is, and a code not listed here shows the background's own message.
 */
const ERROR_TEXT: Partial<Record<ErrorCode, MessageKey>> = {
  timeout: 'errorTimeout',
  not_ready: 'errorNotReady',
  locked: 'errorLocked',
  wrong_passphrase: 'errorWrongPassphrase',
  unlock_throttled: 'errorUnlockThrottled',
  weak_passphrase: 'errorWeakPassphrase',
  invite_invalid: 'errorInviteInvalid',
  invite_expired: 'errorInviteExpired',
  invite_used: 'errorInviteUsed',
  invite_own: 'errorInviteOwn',
  message_too_long: 'errorMessageTooLong',
  relay_unavailable: 'errorRelayUnavailable',
  backup_invalid: 'errorBackupInvalid',
  account_wrong_password: 'errorAccountWrongPassword',
  account_email_taken: 'errorAccountEmailTaken',
  account_invalid_email: 'errorAccountInvalidEmail',
  account_unreachable: 'errorAccountUnreachable',
  calendar_reconnect_required: 'errorCalendarReconnect',
  calendar_unavailable: 'errorCalendarUnavailable',
  internal: 'errorInternal',
};

/** What the person reads for `error`: in their language where the code is known (I18N20). */
export function errorText(error: ErrorShape, language = uiLanguage()): string {
  const key = ERROR_TEXT[error.code];
  return key && !language.toLowerCase().startsWith('en') ? t(key) : error.message;
}

export function ErrorNote({ error }: { error?: ErrorShape }) {
  if (!error) return null;
  return (
    <p class="error" role="alert" data-testid="error" data-code={error.code}>
      {errorText(error)}
    </p>
  );
}

export function RelayDot({ connected, lastError }: { connected: boolean; lastError?: string }) {
  const signIn = !connected && lastError === 'firebase_token_required';
  return (
    <span
      class={connected ? 'dot dot-on' : 'dot dot-off'}
      data-testid="relay-status"
      data-connected={String(connected)}
      data-error={lastError ?? ''}
    >
      {connected
        ? t('commonRelayConnected')
        : signIn
          ? t('commonRelaySignInRequired')
          : t('commonRelayOffline')}
    </span>
  );
}

/**
 * What the person can do about a relay that refuses this agent's account (FBA6), in plain words;
 * undefined when there is nothing for them to do.
 */
export function relayAccountProblem(lastError: string | undefined): string | undefined {
  switch (lastError) {
    case 'firebase_token_required':
      return t('relayNeedsSignIn');
    case 'firebase_uid_mismatch':
      return t('relayOtherAccount');
    case 'firebase_token_invalid':
    case 'firebase_token_expired':
      return t('relaySignInRefused');
    case 'firebase_token_unavailable':
      return t('relaySignInRenewFailed');
    default:
      return undefined;
  }
}

/**
 * Stands for the `index`th marked part (a `strong`, a `span` tests find) in a message, wherever the
 * language puts it: pass `slot(i)` as a placeholder's value, then `withSlots` puts the nodes in.
 */
export const slot = (index: number): string => String.fromCharCode(0xe000 + index);
export const SLOT = slot(0);

/** `message` (made with `slot(i)` as placeholder values) with `nodes[i]` where each slot is. */
export function withSlots(message: string, ...nodes: ComponentChildren[]) {
  const parts = message.split(/([\ue000-\ue008])/);
  return (
    <>
      {parts.map((part, i) => {
        const index = part.length === 1 ? part.charCodeAt(0) - 0xe000 : -1;
        return <Fragment key={i}>{index >= 0 && index < nodes.length ? nodes[index] : part}</Fragment>;
      })}
    </>
  );
}

/** `message` with `node` where its one slot (`SLOT`) is. */
export const withSlot = (message: string, node: ComponentChildren) => withSlots(message, node);

/** The level of a section's heading: 2 on its own, 3 inside a group of settings (headings never skip). */
export const HeadingLevel = createContext<2 | 3>(2);

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const Heading = useContext(HeadingLevel) === 3 ? 'h3' : 'h2';
  return (
    <section class="section">
      <Heading class="section-title">{title}</Heading>
      {children}
    </section>
  );
}

/**
 * [A11Y8] Dates below this show in the person's time zone (their meeting preferences) once the agent has
 * answered; until then, and while it is locked, in the browser's. A different zone re-renders the page
 * once (a new key), so no time stays in the old zone.
 */
export function PersonZone({ children }: { children: ComponentChildren }) {
  const { data } = useAgentQuery('preferences.get', {}, ['status']);
  if (data) setPersonZone(data.timeZone);
  return <Fragment key={currentZone()}>{children}</Fragment>;
}
