/** Letters with no Unicode decomposition, folded by the table of CONVENTIONS §5. */
const EXTRA: Record<string, string> = { ø: 'o', ł: 'l', ı: 'i', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe' };

/** Lower-case, strip diacritics (NFD minus combining marks), then apply the §5 table. */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[øłıđßæœ]/g, (c) => EXTRA[c]!);
}
