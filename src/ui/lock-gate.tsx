import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import { MIN_PASSPHRASE_CHARS, type AgentStatus } from '../rpc';
import { ErrorNote, errorText } from './components';
import { t } from './i18n';
import { Onboarding, StepHeader, Welcome, type Step } from './onboarding';
import { agent, useAgentQuery } from './rpc';
import { onboardedGlance, rememberOnboarded, statusGlance } from './status-glance';

/**
 * Shows its children only while the vault is unlocked; otherwise asks for a new
 * passphrase (first run) or the passphrase (locked).
 */
export function LockGate({
  children,
}: {
  children: (status: AgentStatus & { agent: NonNullable<AgentStatus['agent']> }) => ComponentChildren;
}) {
  const {
    data: status,
    error,
    reload,
  } = useAgentQuery('status.get', {}, ['status', 'contacts'], statusGlance());
  if (error) return <ErrorNote error={error} />;
  if (!status) return <p class="section muted">{t('lockStarting')}</p>;
  if (status.lock === 'unlocked' && status.agent)
    return (
      <FirstRun key={status.agent.agentId} agentId={status.agent.agentId}>
        {children({ ...status, agent: status.agent })}
      </FirstRun>
    );
  return <PassphraseForm mode={status.lock === 'setup_required' ? 'setup' : 'unlock'} onDone={reload} />;
}

/** [ONB2] The rest of a first run that was not finished or skipped, before anything else. */
function FirstRun({ agentId, children }: { agentId: string; children: ComponentChildren }) {
  // [PERF3] A first run seen done in this browser session is not asked about again before drawing.
  const { data } = useAgentQuery(
    'onboarding.get',
    {},
    [],
    onboardedGlance(agentId) ? { step: 'done' } : undefined,
  );
  const [step, setStep] = useState<Step>();
  const current = step ?? data?.step;
  useEffect(() => {
    if (current === 'done') rememberOnboarded(agentId);
  }, [current, agentId]);
  if (current === undefined) return <p class="section muted">{t('lockStarting')}</p>;
  if (current === 'done') return <>{children}</>;
  return <Onboarding step={current} onStep={setStep} />;
}

function PassphraseForm({ mode, onDone }: { mode: 'setup' | 'unlock'; onDone: () => void }) {
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<ErrorShape>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    if (mode === 'setup' && passphrase !== confirm) {
      setError({ code: 'bad_request', message: t('lockPassphrasesDiffer') });
      return;
    }
    setBusy(true);
    try {
      await agent.call(mode === 'setup' ? 'vault.setUp' : 'vault.unlock', { passphrase });
      setPassphrase('');
      setConfirm('');
      onDone();
    } catch (e) {
      const failure = e as ErrorShape;
      const message = failure.retryAfterMs
        ? t('lockTryAgainIn', errorText(failure), Math.ceil(failure.retryAfterMs / 1000))
        : failure.message;
      setError({ ...failure, message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="section stack" onSubmit={submit} data-testid={`${mode}-form`}>
      {mode === 'setup' ? (
        <>
          <StepHeader current="passphrase" />
          <Welcome />
          <p>{t('lockChoosePassphrase')}</p>
        </>
      ) : (
        <p>{t('lockLocked')}</p>
      )}
      <input
        type="password"
        name="passphrase"
        aria-label={t('lockPassphrase')}
        autocomplete={mode === 'setup' ? 'new-password' : 'current-password'}
        placeholder={t('lockPassphrase')}
        minLength={mode === 'setup' ? MIN_PASSPHRASE_CHARS : 1}
        value={passphrase}
        onInput={(e) => setPassphrase(e.currentTarget.value)}
      />
      {mode === 'setup' && (
        <input
          type="password"
          name="confirm"
          aria-label={t('lockPassphraseAgain')}
          autocomplete="new-password"
          placeholder={t('lockPassphraseAgain')}
          value={confirm}
          onInput={(e) => setConfirm(e.currentTarget.value)}
        />
      )}
      <button type="submit" disabled={busy || !passphrase} data-testid="passphrase-submit">
        {busy ? t('commonWorking') : mode === 'setup' ? t('lockSetPassphrase') : t('lockUnlock')}
      </button>
      <ErrorNote error={error} />
    </form>
  );
}
