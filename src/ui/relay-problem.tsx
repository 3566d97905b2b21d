import { useEffect, useState } from 'preact/hooks';
import type { RpcOutput } from '../rpc';
import { t } from './i18n';
import { agent } from './rpc';

/** How long the relay may be offline before the panel asks its health why (a reconnect is usually quick). */
const GRACE_MS = 3000;

/**
 * [CLR2] The relay is offline: ask its health endpoint and say why — nothing answers, it answers too slowly,
 * or it is not a relay — and what to check. Nothing is shown while it is connected.
 */
export function RelayProblem({ relay }: { relay: { url: string; connected: boolean; lastError?: string } }) {
  const [check, setCheck] = useState<RpcOutput<'relay.check'>>();
  useEffect(() => {
    setCheck(undefined);
    if (relay.connected) return;
    let current = true;
    const timer = setTimeout(() => {
      agent.call('relay.check', { url: relay.url }).then(
        (result) => current && setCheck(result),
        // The agent did not answer: the status line already says the relay is offline.
        () => undefined,
      );
    }, GRACE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [relay.url, relay.connected]);

  if (relay.connected || !check) return null;
  return (
    <div class="section" data-testid="relay-problem" data-problem={check.ok ? 'refused' : check.problem}>
      <p class="error" role="alert">
        {check.ok ? t('relayAnswersButRefused', check.host) : check.message}
      </p>
      <p class="muted">{t('relayChangeInSettings')}</p>
    </div>
  );
}
