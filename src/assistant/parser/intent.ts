import type { Intent } from '../command';

/**
 * The intent, from verb families read on the normalised command (§3). The order matters: a
 * message stays a message whatever its body says; cancel and reschedule name an existing meeting.
 */
const LEADING_FILLER =
  /^(?:(?:hey|hi|hello|ok|okay|so|please|yo|quick question|can you|could you|would you|will you|would you mind|i want to|i need to|i'd like to|i would like to|go ahead and|can i|could i)(?: ,)? )+/;

const MESSAGE = /^(?:tell|message|msg|text|ping|dm|let .+? know|send .+? an? (?:message|note|text|msg|dm))\b/;
const HELP =
  /^(?:help(?: me)?(?: please)?|\?|commands|menu)$|\b(?:what (?:can|do) you do|how do i use|how does (?:this|it|parley) work|what are you|who are you|what are your commands|how (?:can|do) you help|what is (?:this|parley)|show (?:me )?(?:the )?(?:help|commands)|what (?:commands|can i (?:say|ask|do)))\b/;
const INVITE = /\b(?:invite|invites|invitation|(?:add|new|create) (?:a )?(?:new )?contact)\b/;
const CANCEL =
  /\b(?:cancel|cancell?ed|call (?:it )?off|called off|delete|scrap|drop|remove|nix|kill|scratch)\b/;
const RESCHEDULE =
  /\b(?:move|moved|push|bump|shift|postpone|reschedule|rebook|shorten|lengthen|extend|delay|prepone|bring forward|pull forward)\b/;
const AGENDA =
  /\b(?:what'?s on|what is on|whats on|what do i have|what have i got|what'?s happening|anything on|is there anything|show (?:me )?(?:my|the)|my (?:calendar|schedule|agenda|day|week|meetings|events)|agenda|am i (?:free|busy|double booked|booked|available|doing)|do i have|how busy|what'?s my|whats my|what does my|when am i|any meetings|list (?:my )?(?:meetings|events))\b/;
const SCHEDULE =
  /\b(?:find|book|schedule|set up|setup|arrange|organi[sz]e|plan|meet|meeting|grab|get|call|chat|sync|coffee|lunch|dinner|breakfast|brunch|drinks|1:1|catch up|catchup|time|slot|session|hangout|standup|review|workshop|talk|interview|demo|appointment|put|block|squeeze|fit|minutes|hours?|pair)\b/;
/** Things one books that are not meetings with people (§3: `reserve a table` is unknown). */
const NOT_A_MEETING =
  /\b(?:table|flight|flights|pizza|taxi|cab|uber|hotel|restaurant|ticket|tickets|train|car|reservation|haircut|reserve)\b/;
/** Requests that are never about a meeting, whoever is named. */
const NEVER_A_MEETING = /\b(?:weather|order|play|song|music|joke|news|stocks?|translate|recipe|forecast)\b/;

export function stripFiller(norm: string): string {
  return norm.replace(LEADING_FILLER, '');
}

/**
 * `hasContacts`: the command names one of the person's contacts. A capitalised unknown word
 * ("Tokyo") is too weak to make a request about the weather or a table a meeting.
 */
export function readIntent(norm: string, hasContacts: boolean, hasNames: boolean): Intent {
  const text = stripFiller(norm);
  if (MESSAGE.test(text) && !/^text (?:me|my)\b/.test(text)) return 'message';
  if (HELP.test(text)) return 'help';
  if (INVITE.test(text)) return 'invite';
  if (CANCEL.test(text)) return 'cancel';
  if (RESCHEDULE.test(text)) return 'reschedule';
  if (AGENDA.test(text)) return 'agenda';
  if (NEVER_A_MEETING.test(text) || (NOT_A_MEETING.test(text) && !hasContacts)) return 'unknown';
  if (hasContacts || hasNames || SCHEDULE.test(text)) return 'schedule';
  return 'unknown';
}
