import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { createLogger, errorFields } from '../log';
import type { RpcOutput } from '../rpc';
import { SLOT, formatTime, withSlot } from './components';
import { t } from './i18n';
import { QrCode } from './qr-code';
import { useAgentQuery } from './rpc';

const log = createLogger('ui').child('invite');

/** The side panel's address with an invite in its fragment: opening it fills the invite box (INV1). */
export function inviteLink(code: string): string {
  return `${browser.runtime.getURL('/sidepanel.html')}#invite=${encodeURIComponent(code)}`;
}

/** An invite code from a link's fragment (`#invite=…`), if the page was opened with one. */
export function inviteFromHash(hash: string): string | undefined {
  const match = /^#invite=(.+)$/.exec(hash);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    // A fragment that is not valid percent-encoding is not an invite: the box stays empty.
    return undefined;
  }
}

/**
 * [INV1][INV2] A new invite: the code with a Copy button, a link that opens Parley with it, and a QR code;
 * once the contact's agent used it, it shows as used (by whom).
 */
export function InviteCard({ invite }: { invite: RpcOutput<'invite.create'> }) {
  const { data: status } = useAgentQuery('invite.status', { code: invite.code }, ['contacts']);
  const [copied, setCopied] = useState<'code' | 'link'>();
  const [copyFailed, setCopyFailed] = useState(false);
  const link = inviteLink(invite.code);

  const copy = async (what: 'code' | 'link') => {
    try {
      await navigator.clipboard.writeText(what === 'code' ? invite.code : link);
      setCopied(what);
      setCopyFailed(false);
    } catch (error) {
      log.warn('copy_failed', errorFields(error));
      setCopyFailed(true);
    }
  };

  const state = status?.state ?? 'open';
  return (
    <div class="stack invite-card" data-testid="invite-card" data-state={state}>
      {state === 'used' ? (
        <p class="notice" data-testid="invite-state" data-state="used">
          {status?.name ? t('inviteUsedBy', status.name) : t('inviteUsed')}
        </p>
      ) : state === 'expired' ? (
        <p class="error" data-testid="invite-state" data-state="expired">
          {t('inviteExpired')}
        </p>
      ) : (
        <span class="muted" data-testid="invite-state" data-state="open">
          {withSlot(
            t('inviteOpen', formatTime(invite.expiresAt), SLOT),
            <span data-testid="invite-relay">{invite.relayUrl}</span>,
          )}
        </span>
      )}
      {invite.relayOnThisComputer && (
        <span class="error" data-testid="invite-relay-local">
          {t('inviteRelayLocal')}
        </span>
      )}
      <label class="stack">
        <span class="muted">{t('inviteCodeLabel')}</span>
        <textarea
          readOnly
          rows={3}
          data-testid="invite-code"
          value={invite.code}
          onFocus={(e) => e.currentTarget.select()}
        />
      </label>
      <div class="row">
        <button type="button" class="secondary" data-testid="invite-copy" onClick={() => void copy('code')}>
          {copied === 'code' ? t('inviteCopied') : t('inviteCopyCode')}
        </button>
        <button
          type="button"
          class="secondary"
          data-testid="invite-copy-link"
          onClick={() => void copy('link')}
        >
          {copied === 'link' ? t('inviteLinkCopied') : t('inviteCopyLink')}
        </button>
      </div>
      <span aria-live="polite" class="muted">
        {copied === 'code' ? t('inviteCodeOnClipboard') : copied === 'link' ? t('inviteLinkOnClipboard') : ''}
        {copyFailed ? t('inviteCopyRefused') : ''}
      </span>
      <a href={link} data-testid="invite-link" class="muted invite-link" target="_blank" rel="noreferrer">
        {t('inviteLinkText')}
      </a>
      <details>
        <summary class="muted">{t('inviteQrCode')}</summary>
        <QrCode text={invite.code} label={t('inviteQrLabel')} />
      </details>
    </div>
  );
}
