import { useEffect, useRef, useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import {
  MAX_MESSAGE_CHARS,
  type ContactView,
  type MessageSearchHit,
  type MessageView,
  type RpcOutput,
} from '../rpc';
import { ActivityLog } from './activity-log';
import { ChatPanel } from './command-box';
import { askedFor } from './launch';
import { ContactControls } from './contact-controls';
import { ErrorNote, RelayDot, Section, formatTime, relayAccountProblem } from './components';
import { t, type MessageKey } from './i18n';
import { InviteCard, inviteFromHash } from './invite-card';
import { LockGate } from './lock-gate';
import { useMeetingAnchor } from './meeting-anchor';
import { MeetingsSection, NeedsYou } from './meetings-section';
import { OfferTimesSection } from './offer-times';
import { RelayProblem } from './relay-problem';
import { agent, useAgentQuery } from './rpc';

export function SidePanelApp() {
  return (
    <main>
      <LockGate>
        {(status) => (
          <>
            <header class="header">
              <h1>Parley</h1>
              <RelayDot connected={status.agent.relay.connected} lastError={status.agent.relay.lastError} />
            </header>
            {relayAccountProblem(status.agent.relay.lastError) ? (
              <p class="section error" data-testid="relay-account-problem">
                {relayAccountProblem(status.agent.relay.lastError)}
              </p>
            ) : (
              <RelayProblem relay={status.agent.relay} />
            )}
            <Home />
          </>
        )}
      </LockGate>
    </main>
  );
}

/**
 * [HOM1] The agent's home: the chat with the agent on top, then what needs the person, the meetings told in
 * words, contacts and conversations, and the activity log.
 */
function Home() {
  useMeetingAnchor();
  return (
    <>
      <Section title={t('homeYourAgent')}>
        <ChatPanel initial={askedFor()} />
      </Section>
      <NeedsYou />
      <MeetingsSection approvals={false} />
      <OfferTimesSection />
      <Invites />
      <Conversations />
      <ActivityLog />
    </>
  );
}

function Conversations() {
  const { data: conversations } = useAgentQuery('conversations.list', {}, ['contacts', 'messages']);
  const [selected, setSelected] = useState<string>();
  const current = conversations?.find((c) => c.contact.agentId === selected)?.contact;

  return (
    <>
      <Search onOpen={setSelected} />
      <Section title={t('homeConversations')}>
        {conversations?.length === 0 && <p class="muted">{t('homeNoContacts')}</p>}
        <ul class="contacts" data-testid="contacts">
          {conversations?.map(({ contact, last }) => (
            <li key={contact.agentId}>
              <button
                data-testid="contact"
                data-agent-id={contact.agentId}
                data-status={contact.status}
                aria-current={contact.agentId === selected}
                onClick={() => setSelected(contact.agentId)}
              >
                <strong dir="auto">{contact.name}</strong>{' '}
                {contact.status === 'pending' && <span class="muted">{t('homeContactWaiting')}</span>}
                {contact.status === 'blocked' && <span class="muted">{t('homeContactBlocked')}</span>}
                {last && (
                  <div class="muted" dir="auto">
                    {last.text.slice(0, 60)}
                  </div>
                )}
              </button>
            </li>
          ))}
        </ul>
      </Section>
      {current && <Thread key={current.agentId} contact={current} />}
    </>
  );
}

/**
 * Creating and accepting invites. An invite names its creator's relay; one from another relay is refused
 * with that relay's address, and the person may switch to it and accept in one step (PAIR5), or is told
 * why the two cannot talk (PAIR6).
 */
function Invites() {
  const [invite, setInvite] = useState<RpcOutput<'invite.create'>>();
  // [INV1] Opened from an invite link: the code is in the fragment, ready to add.
  const [pasted, setPasted] = useState(() => inviteFromHash(location.hash) ?? '');
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<ErrorShape>();
  /** The code refused for naming another relay, and that relay: what "Switch and accept" uses. */
  const [otherRelay, setOtherRelay] = useState<{ code: string; relayUrl: string }>();
  const [busy, setBusy] = useState(false);

  const create = async () => {
    setError(undefined);
    // The previous invite goes first: what is shown next is the new code, never the used one.
    setInvite(undefined);
    try {
      setInvite(await agent.call('invite.create', {}));
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  const acceptCode = async (invite: string, switchTo?: string) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    setOtherRelay(undefined);
    try {
      // [INV2] An invite this agent already accepted says so, instead of pairing again.
      const known = await agent.call('invite.status', { code: invite });
      if (known.state === 'already_contact') {
        setResult(known.name ? t('homeInviteUsedBy', known.name) : t('homeInviteUsed'));
        setPasted('');
        return;
      }
      // The agent moves its link to the new relay; the pairing request leaves once it is logged in there.
      if (switchTo) await agent.call('settings.set', { relayUrl: switchTo });
      const { contact } = await agent.call('invite.accept', { code: invite });
      setResult(contact.status === 'paired' ? t('homeNowContact', contact.name) : t('homeInviteSent'));
      setPasted('');
    } catch (e) {
      const shape = e as ErrorShape;
      setError(shape);
      if (shape.code === 'invite_other_relay' && shape.relayUrl) {
        setOtherRelay({ code: invite, relayUrl: shape.relayUrl });
      }
    } finally {
      setBusy(false);
    }
  };

  const accept = (event: Event) => {
    event.preventDefault();
    void acceptCode(pasted);
  };

  return (
    <Section title={t('homeContacts')}>
      <div class="stack">
        <button class="secondary" onClick={create} data-testid="create-invite">
          {t('homeInviteSomeone')}
        </button>
        {invite && <InviteCard key={invite.code} invite={invite} />}
        <form class="row" onSubmit={accept}>
          <input
            placeholder={t('homeInvitePlaceholder')}
            aria-label={t('homeInviteLabel')}
            data-testid="invite-input"
            value={pasted}
            onInput={(e) => setPasted(e.currentTarget.value)}
          />
          <button type="submit" disabled={busy || !pasted.trim()} data-testid="accept-invite">
            {t('homeAddInvite')}
          </button>
        </form>
        {result && (
          <p class="notice" data-testid="pair-result">
            {result}
          </p>
        )}
        <ErrorNote error={error} />
        {otherRelay && (
          <button
            disabled={busy}
            data-testid="switch-relay-accept"
            data-relay={otherRelay.relayUrl}
            onClick={() => void acceptCode(otherRelay.code, otherRelay.relayUrl)}
          >
            {t('homeSwitchRelayAccept', otherRelay.relayUrl)}
          </button>
        )}
      </div>
    </Section>
  );
}

/** A sent message's state, in words. */
const MESSAGE_STATUS: Record<MessageView['status'], MessageKey> = {
  queued: 'homeMessageQueued',
  sent: 'homeMessageSent',
  received: 'homeMessageReceived',
  failed: 'homeMessageFailed',
};

function Thread({ contact }: { contact: ContactView }) {
  const { data: messages } = useAgentQuery('messages.list', { contactId: contact.agentId }, ['messages']);
  const [text, setText] = useState('');
  const [error, setError] = useState<ErrorShape>();
  const end = useRef<HTMLLIElement>(null);

  useEffect(() => end.current?.scrollIntoView?.({ block: 'end' }), [messages?.length]);

  // [CLR3] Over the limit is said before sending, with how much to cut.
  const over = text.trim().length - MAX_MESSAGE_CHARS;
  const send = async (event: Event) => {
    event.preventDefault();
    const body = text.trim();
    if (!body || over > 0) return;
    try {
      await agent.call('messages.send', { contactId: contact.agentId, text: body });
      setText('');
      setError(undefined);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  return (
    <Section title={t('homeThreadWith', contact.name)}>
      {contact.email !== undefined && (
        // ATT4: the address from the contact's signed card; meetings with them invite it.
        <p class="muted" data-testid="contact-email" dir="auto">
          {t('cardSharesEmail', contact.email)}
        </p>
      )}
      <SafetyNumber contact={contact} />
      <ContactControls contact={contact} />
      <ul class="thread" data-testid="thread">
        {messages?.map((m) => (
          // Peer text is rendered as text, never as HTML.
          <li
            key={m.id}
            class={`bubble ${m.direction}`}
            data-testid="message"
            dir="auto"
            data-direction={m.direction}
            data-status={m.status}
          >
            {m.text}
            <span class="meta" dir="auto">
              {formatTime(m.at)}
              {m.direction === 'out' && ` · ${t(MESSAGE_STATUS[m.status])}`}
            </span>
          </li>
        ))}
        <li ref={end} />
      </ul>
      <form class="row" onSubmit={send}>
        <input
          placeholder={t('homeMessagePlaceholder', contact.name)}
          aria-label={t('homeMessageLabel', contact.name)}
          dir="auto"
          data-testid="composer"
          value={text}
          aria-invalid={over > 0}
          aria-describedby={over > 0 ? 'composer-too-long' : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" data-testid="send" disabled={contact.status !== 'paired' || over > 0}>
          {t('homeSend')}
        </button>
      </form>
      {over > 0 && (
        <p class="error" id="composer-too-long" role="alert" data-testid="composer-too-long">
          {t(
            'homeMessageTooLong',
            text.trim().length.toLocaleString(),
            MAX_MESSAGE_CHARS.toLocaleString(),
            over.toLocaleString(),
          )}
        </p>
      )}
      <ErrorNote error={error} />
    </Section>
  );
}

/** Compare this with what your contact sees; if it matches, nobody is in the middle. */
function SafetyNumber({ contact }: { contact: ContactView }) {
  const [error, setError] = useState<ErrorShape>();
  const toggle = async () => {
    try {
      await agent.call('contacts.verify', { contactId: contact.agentId, verified: !contact.verified });
      setError(undefined);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  return (
    <details class="safety" data-testid="safety">
      <summary>
        {contact.verified ? (
          <span class="notice" data-testid="verified">
            {t('homeVerified')}
          </span>
        ) : (
          <span class="muted">{t('homeNotVerified')}</span>
        )}
      </summary>
      <p class="mono" data-testid="safety-number" title={contact.safetyQr}>
        {contact.safetyNumber}
      </p>
      <p class="muted">{t('homeCompareDigits', contact.name)}</p>
      <button class="secondary" data-testid="verify" onClick={toggle}>
        {contact.verified ? t('homeMarkNotVerified') : t('homeMarkVerified')}
      </button>
      <ErrorNote error={error} />
    </details>
  );
}

/** Full-text search over every conversation; a hit opens its thread. */
function Search({ onOpen }: { onOpen: (contactId: string) => void }) {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<MessageSearchHit[]>();
  const [error, setError] = useState<ErrorShape>();
  const search = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) return setHits(undefined);
    try {
      setHits(await agent.call('messages.search', { text }));
      setError(undefined);
    } catch (e) {
      setError(e as ErrorShape);
    }
  };
  return (
    <Section title={t('homeSearch')}>
      <form class="row" onSubmit={search}>
        <input
          placeholder={t('homeSearchPlaceholder')}
          aria-label={t('homeSearchPlaceholder')}
          dir="auto"
          data-testid="search"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit" class="secondary" data-testid="search-submit">
          {t('homeSearchButton')}
        </button>
      </form>
      {hits && hits.length === 0 && <p class="muted">{t('homeNothingFound')}</p>}
      <ul class="contacts">
        {hits?.map((hit) => (
          <li key={hit.id}>
            <button
              data-testid="search-result"
              data-conversation={hit.conversation}
              // A turn of the chat with the agent is in the thread at the top.
              onClick={() => hit.conversation === 'contact' && onOpen(hit.contactId)}
            >
              <strong>
                {hit.direction === 'out' ? t('homeSearchHitYou', hit.contactName) : hit.contactName}
              </strong>
              <div class="muted" dir="auto">
                {hit.text.slice(0, 120)}
              </div>
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
    </Section>
  );
}
