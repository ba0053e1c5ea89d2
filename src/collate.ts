// Names in the same order on every machine. String.prototype.localeCompare follows the locale of
// the process (under LANG=da_DK "aa.py" sorts after "z.py", under lt_LT "y" before "k"), so the
// inventory's order, and the fingerprints and plans made from it, changed with the machine. One
// fixed locale keeps the order the tool has always had on English and C locales.

const collator = new Intl.Collator('en');
// Equal names are told before the collator is asked: sorts of findings compare mostly names of one file.
export const compareNames = (a: string, b: string): number => (a === b ? 0 : collator.compare(a, b));
