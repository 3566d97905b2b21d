/**
 * The closed vocabulary the parser reads: shorthand (§2), the command words typos are corrected
 * against, and the ordinary words that are never a person's name.
 */
export const SHORTHAND: Record<string, string> = {
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tmrow: 'tomorrow',
  tmw: 'tomorrow',
  tomo: 'tomorrow',
  '2moro': 'tomorrow',
  tdy: 'today',
  tonite: 'tonight',
  nxt: 'next',
  wk: 'week',
  wks: 'weeks',
  wknd: 'weekend',
  wkend: 'weekend',
  'w/': 'with',
  w: 'with',
  wth: 'with',
  n: 'and',
  '&': 'and',
  '+': 'and',
  hr: 'hour',
  hrs: 'hours',
  h: 'hours',
  min: 'minutes',
  mins: 'minutes',
  minute: 'minutes',
  m: 'minutes',
  pls: 'please',
  plz: 'please',
  mtg: 'meeting',
  mtgs: 'meetings',
  mon: 'monday',
  tue: 'tuesday',
  tues: 'tuesday',
  wed: 'wednesday',
  weds: 'wednesday',
  thu: 'thursday',
  thur: 'thursday',
  thurs: 'thursday',
  fri: 'friday',
  sat: 'saturday',
  sun: 'sunday',
  jan: 'january',
  feb: 'february',
  mar: 'march',
  apr: 'april',
  jun: 'june',
  jul: 'july',
  aug: 'august',
  sep: 'september',
  sept: 'september',
  oct: 'october',
  nov: 'november',
  dec: 'december',
  'a.m.': 'am',
  'p.m.': 'pm',
  msg: 'msg',
  dm: 'dm',
  u: 'you',
  ur: 'your',
  cal: 'calendar',
  '1on1': '1:1',
  '1-1': '1:1',
  'one-on-one': '1:1',
  mornin: 'morning',
  arvo: 'afternoon',
  eve: 'evening',
};

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
export const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Words typos are corrected to (edit distance 1, or 2 for long words). */
export const COMMAND_WORDS = [
  ...WEEKDAYS,
  ...MONTHS.filter((m) => m.length > 4),
  'tomorrow',
  'today',
  'tonight',
  'weekend',
  'morning',
  'mornings',
  'afternoon',
  'afternoons',
  'evening',
  'evenings',
  'meeting',
  'meetings',
  'schedule',
  'reschedule',
  'cancel',
  'postpone',
  'message',
  'minutes',
  'hours',
  'please',
  'calendar',
  'invite',
  'coffee',
  'lunch',
  'dinner',
  'breakfast',
  'arrange',
  'available',
  'anything',
  'sometime',
  'tomorrow',
  'between',
  'quarter',
  'thirty',
  'fifteen',
  'twenty',
  'forty',
  'ninety',
  'minute',
  'month',
  'week',
  'weeks',
  'next',
  'find',
  'book',
  'call',
  'with',
  'show',
  'agenda',
  'delete',
  'shorten',
  'extend',
  'contact',
  'within',
  'before',
  'after',
  'about',
  'catch',
  'quick',
  'sync',
  'standup',
  'workshop',
  'review',
  'appointment',
  'session',
  'interview',
  'ideally',
  'possible',
];

const COMMON = `a an the and or but of to in on at by for from with without within about around before after
until till til into over under this that these those next last coming following past other another each every
some any no not all both either my your our their his her its me i we us you they them he she it i'm im i've
i'll i'd we're we'll let's lets myself ourselves mine yours hey hi hello ok okay please thanks thank so just
also too very really maybe perhaps ideally possible if sometime somewhere point time times slot slots
can could would should will shall may might must do does did done have has had having am is are was were be been
being get got gets getting grab find book set setup arrange organize organise plan schedule reschedule put add
create make made need needs want wants like would see show tell text message msg ping dm send let know say saying
cancel call calls called off delete scrap drop remove move push bump shift postpone delay change shorten extend
lengthen invite invitation code link contact new help use using what's whats what which who whom whose when where
why how there here yes meet meeting meetings chat chats coffee lunch dinner breakfast brunch drinks drink tea
catch catchup up sync standup stand review workshop session interview talk chat 1:1 demo retro call hangout
appointment event events agenda calendar schedule day days week weeks weekend weekends month months year
today tomorrow tonight yesterday morning mornings afternoon afternoons evening evenings night noon midnight work
early late later soon now asap quick short long brief hour hours minute minutes half quarter
free busy available double booked anything something nothing everyone everybody team group folks people guys
all somebody someone anyone person friend colleague boss manager client partner sister brother mom dad
am pm end start beginning middle again back forward one two three four five six seven eight nine ten eleven
twelve fifteen twenty thirty forty fifty sixty ninety zoom teams google office room table weather pizza
know fine great good sure right okay yeah nope thing things stuff whole entire only each`;

/** Words that are never a person's name (so never `unresolved`). */
export const NOT_NAMES = new Set([
  ...COMMON.split(/\s+/),
  ...WEEKDAYS,
  ...MONTHS,
  ...Object.values(SHORTHAND),
]);

/** The person themself and nameless groups: never participants, never unresolved (§5). */
export const SELF_OR_GROUP = new Set([
  'me',
  'i',
  'we',
  'us',
  'my',
  'myself',
  'our',
  'team',
  'everyone',
  'everybody',
]);

export const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  fifteen: 15,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  ninety: 90,
};
