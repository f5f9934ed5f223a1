import { lang } from '../i18n.ts';

/**
 * Forms in the reader's language. The deployed forms are labelled in Chinese and keep the English
 * of each label as a custom property (`label.en`, `description.en`, `dateLabel.en`, … and
 * `label.en` beside an option's label); in English those are put in place before rendering.
 * form-js writes its validation messages in English: in Chinese they are translated.
 */
interface Component {
  properties?: Record<string, unknown>;
  values?: Record<string, unknown>[];
  components?: Component[];
  [key: string]: unknown;
}

const TEXT_KEYS = ['label', 'description', 'placeholder', 'dateLabel', 'timeLabel', 'text'];

export function localizedFormSchema<T extends object>(schema: T): T {
  if (lang() === 'zh') return schema;
  const copy = structuredClone(schema) as Component;
  const visit = (c: Component) => {
    for (const key of TEXT_KEYS) {
      const en = c.properties?.[`${key}.en`];
      if (typeof en === 'string' && en.trim()) c[key] = en;
    }
    for (const option of c.values ?? []) {
      const en = option['label.en'];
      if (typeof en === 'string' && en.trim()) option.label = en;
    }
    for (const child of c.components ?? []) visit(child);
  };
  visit(copy);
  return copy as T;
}

/** form-js's own messages (its Validator) in Chinese. */
const MESSAGES_ZH: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^Field is required\.$/, () => '此项必填'],
  [/^Field must have minimum length of (\d+)\.$/, (m) => `至少 ${m[1]} 个字`],
  [/^Field must have maximum length of (\d+)\.$/, (m) => `最多 ${m[1]} 个字`],
  [/^Field must have minimum value of (-?[\d.]+)\.$/, (m) => `不能小于 ${m[1]}`],
  [/^Field must have maximum value of (-?[\d.]+)\.$/, (m) => `不能大于 ${m[1]}`],
  [/^Field must match pattern (.+)\.$/, () => '格式不正确'],
  [/^Field must be a valid email\.$/, () => '请输入有效的电子邮箱'],
  [/^Field must be a valid\s+international phone number\./, () => '请输入有效的电话号码'],
  [/^Value is not a number\.$/, () => '请输入数字（不能含字母）'],
  [/^Value is expected to be an integer\.$/, () => '请输入整数'],
  [/^Value is expected to have at most (\d+) decimal digits?\.$/, (m) => `最多 ${m[1]} 位小数`],
  [
    /^Please select a valid value, the two nearest valid values are (.+) and (.+)\.$/,
    (m) => `请选择有效值，最接近的有效值为 ${m[1]} 和 ${m[2]}`,
  ],
];

export function validationMessageZh(message: string): string {
  for (const [pattern, zh] of MESSAGES_ZH) {
    const m = message.match(pattern);
    if (m) return zh(m);
  }
  return message;
}

interface Validator {
  validateFieldInstance(fieldInstance: unknown, value: unknown): string[];
}

/** Makes a form-js Form's validation speak the reader's language (call once after creating it). */
export function localizeValidation(form: { get(name: string): unknown }): void {
  if (lang() !== 'zh') return;
  const validator = form.get('validator') as Validator;
  const original = validator.validateFieldInstance.bind(validator);
  validator.validateFieldInstance = (fieldInstance, value) => original(fieldInstance, value).map(validationMessageZh);
}
