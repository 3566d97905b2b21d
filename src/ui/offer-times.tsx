import { useState } from 'preact/hooks';
import type { ErrorShape } from '../errors';
import type { RpcOutput } from '../rpc';
import { ErrorNote, Section } from './components';
import { formatRange } from './dates';
import { t, type MessageKey } from './i18n';
import { plural } from './plural';
import { agent, useAgentQuery } from './rpc';

type Offer = RpcOutput<'meetings.offers'>[number];
type PartOfDay = 'morning' | 'afternoon' | 'evening';

const PARTS: Record<PartOfDay, MessageKey> = {
  morning: 'offerPartMorning',
  afternoon: 'offerPartAfternoon',
  evening: 'offerPartEvening',
};
const STATUS: Record<Offer['status'], MessageKey> = {
  pending: 'offerStatusPending',
  booked: 'offerStatusBooked',
  declined: 'offerStatusDeclined',
};

/** Saves text as a file from the side panel (one click). */
function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar;charset=utf-8' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  link.click();
  // The download has started from the object URL; a minute later nothing needs it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The e-mail draft, asked of the agent only while the offer waits for an answer. */
function MailLink({ id }: { id: string }) {
  const { data } = useAgentQuery('meetings.offerMail', { id, locale: navigator.language || 'en' }, [
    'negotiations',
  ]);
  return data ? (
    <a data-testid="offer-mail" href={data.href}>
      {t('offerMail')}
    </a>
  ) : null;
}

function OfferItem({ offer, onError }: { offer: Offer; onError: (e: ErrorShape | undefined) => void }) {
  const run = (call: () => Promise<unknown>) =>
    void call().then(
      () => onError(undefined),
      (e: ErrorShape) => onError(e),
    );
  const pending = offer.status === 'pending';
  return (
    <li class="bubble" data-testid="offer" data-status={offer.status} data-name={offer.with.name}>
      <strong dir="auto">{offer.title}</strong>{' '}
      <span class="muted" dir="auto">
        {t('offerWith', offer.with.name)}
      </span>
      <div class="muted" data-testid="offer-status">
        {t(STATUS[offer.status])}
        {offer.chosen && ` · ${formatRange(offer.chosen.start, offer.chosen.end)}`}
      </div>
      {pending && (
        <>
          <ul class="stack">
            {offer.slots.map((s) => (
              <li key={s.start} class="row wrap" data-testid="offer-slot" data-start={s.start}>
                <span>{formatRange(s.start, s.end)}</span>
                <button
                  class="secondary"
                  data-testid="offer-choose"
                  onClick={() =>
                    run(() =>
                      agent.call('meetings.markAnswer', {
                        id: offer.id,
                        answer: { kind: 'chosen', slot: s },
                      }),
                    )
                  }
                >
                  {t('offerChose')}
                </button>
              </li>
            ))}
          </ul>
          <div class="row wrap">
            <button
              class="secondary"
              data-testid="offer-ics"
              onClick={() =>
                run(async () => {
                  const { filename, text } = await agent.call('meetings.offerInvitation', { id: offer.id });
                  download(filename, text);
                })
              }
            >
              {t('offerIcs')}
            </button>
            <MailLink id={offer.id} />
            <button
              class="secondary"
              data-testid="offer-declined"
              onClick={() =>
                run(() => agent.call('meetings.markAnswer', { id: offer.id, answer: { kind: 'declined' } }))
              }
            >
              {t('offerDeclined')}
            </button>
          </div>
        </>
      )}
    </li>
  );
}

/**
 * [NOP1]–[NOP5] "Find a time with someone who doesn't use Parley": ask for times, send them as an .ics file
 * or an e-mail draft, and mark what the other person answered.
 */
export function OfferTimesSection() {
  const { data: offers } = useAgentQuery('meetings.offers', {}, ['negotiations', 'calendar']);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [title, setTitle] = useState('');
  const [durationMin, setDuration] = useState(30);
  const [withinDays, setWithin] = useState(7);
  const [partOfDay, setPart] = useState<PartOfDay | ''>('');
  const [error, setError] = useState<ErrorShape>();

  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      await agent.call('meetings.offerTimes', {
        with: { name: name.trim(), ...(email.trim() ? { email: email.trim() } : {}) },
        ...(title.trim() ? { title: title.trim() } : {}),
        durationMin,
        withinDays,
        ...(partOfDay ? { partOfDay } : {}),
      });
      setError(undefined);
      setName('');
      setEmail('');
      setTitle('');
    } catch (e) {
      setError(e as ErrorShape);
    }
  };

  return (
    <Section title={t('offerSection')}>
      <div class="stack" data-testid="offer-times">
        <p class="muted">{t('offerIntro')}</p>
        <form class="stack" onSubmit={submit} data-testid="offer-form">
          <input
            aria-label={t('offerName')}
            placeholder={t('offerName')}
            dir="auto"
            name="offer-name"
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <input
            aria-label={t('offerEmail')}
            placeholder={t('offerEmail')}
            type="email"
            name="offer-email"
            maxLength={254}
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
          <input
            aria-label={t('offerWhat')}
            placeholder={t('offerWhat')}
            dir="auto"
            name="offer-title"
            maxLength={200}
            value={title}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
          <div class="row wrap">
            <select
              name="offer-duration"
              aria-label={t('offerHowLong')}
              value={durationMin}
              onChange={(e) => setDuration(Number(e.currentTarget.value))}
            >
              {[15, 30, 45, 60, 90].map((m) => (
                <option value={m} key={m}>
                  {plural(m, { one: 'offerMinutesOne', other: 'offerMinutesOther' })}
                </option>
              ))}
            </select>
            <select
              name="offer-within"
              aria-label={t('offerWithinLabel')}
              value={withinDays}
              onChange={(e) => setWithin(Number(e.currentTarget.value))}
            >
              {[3, 7, 14, 30].map((d) => (
                <option value={d} key={d}>
                  {plural(d, { one: 'offerWithinDaysOne', other: 'offerWithinDaysOther' })}
                </option>
              ))}
            </select>
            <select
              name="offer-part"
              aria-label={t('offerPartLabel')}
              value={partOfDay}
              onChange={(e) => setPart(e.currentTarget.value as PartOfDay | '')}
            >
              <option value="">{t('offerAnyTime')}</option>
              {(Object.keys(PARTS) as PartOfDay[]).map((p) => (
                <option value={p} key={p}>
                  {t(PARTS[p])}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" data-testid="offer-submit" disabled={!name.trim()}>
            {t('offerFind')}
          </button>
        </form>
        <ErrorNote error={error} />
        {offers && offers.length > 0 && (
          <ul class="contacts" data-testid="offers">
            {offers.map((o) => (
              <OfferItem key={o.id} offer={o} onError={setError} />
            ))}
          </ul>
        )}
      </div>
    </Section>
  );
}
