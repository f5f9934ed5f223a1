/**
 * The language people read: Chinese unless the request prefers English (`Accept-Language`, with
 * q-values, as the web UI's language switch sends it). Names of BPMN elements and forms are Chinese
 * in the models, with the English kept beside them (`name.en`, `label.en`).
 */
export type Language = 'zh' | 'en';

export function preferredLanguage(header: string | string[] | undefined): Language {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  let best: { lang: Language; q: number } | null = null;
  for (const part of value.split(',')) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const lang: Language | null = tag.startsWith('zh') ? 'zh' : tag.startsWith('en') ? 'en' : null;
    if (!lang) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang, q };
  }
  return best?.lang ?? 'zh';
}

/** The name in the reader's language: the English one when asked for and known, else the (Chinese) name. */
export function inLanguage(lang: Language, name: string, nameEn: string | null | undefined): string;
export function inLanguage(lang: Language, name: string | null, nameEn: string | null | undefined): string | null;
export function inLanguage(lang: Language, name: string | null, nameEn: string | null | undefined): string | null {
  return lang === 'en' && nameEn ? nameEn : name;
}
