import { z } from 'zod';

/** The parts of a Camunda (form-js) form schema that define what a task accepts. */
interface FormComponent {
  type: string;
  key?: string;
  label?: string;
  readonly?: boolean | string;
  disabled?: boolean;
  decimalDigits?: number;
  validate?: { required?: boolean; min?: number; max?: number; minLength?: number; maxLength?: number; pattern?: string };
  values?: { value: string }[];
  properties?: Record<string, unknown>;
  components?: FormComponent[];
}

/**
 * A checkbox the form marks as the task's decision (`properties["decision.yes"]` and
 * `["decision.no"]`, e.g. 审核通过 / 驳回): the clerk answers it with one of two buttons, never by
 * leaving a box unticked, so it must be given; `["decision.note"]` names the field that must say
 * why when the answer is no.
 */
const isDecision = (c: FormComponent) => c.type === 'checkbox' && typeof c.properties?.['decision.yes'] === 'string';

/** The field that must say why when the decision is no, if the form names one. */
function noteKeyOf(c: FormComponent): string | null {
  const note = c.properties?.['decision.note'];
  return typeof note === 'string' && note ? note : null;
}

const INPUT_TYPES = new Set(['textfield', 'textarea', 'number', 'checkbox', 'select', 'radio', 'checklist', 'taglist', 'datetime']);

/**
 * Derives the zod schema of the variables a form submits: one field per editable input, with
 * the form's own validation (required, min/max, length, pattern, options). Read-only fields
 * show process data and are not accepted back. Unknown fields are refused.
 */
export function formVariablesSchema(form: { components?: FormComponent[] }) {
  const shape: Record<string, z.ZodType> = {};
  const decisions: { key: string; noteKey: string | null }[] = [];
  const visit = (components: FormComponent[] = []) => {
    for (const c of components) {
      if (c.components) visit(c.components);
      if (!c.key || !INPUT_TYPES.has(c.type) || c.readonly === true || c.disabled) continue;
      const v = c.validate ?? {};
      let field: z.ZodType;
      switch (c.type) {
        case 'number': {
          let n = z.number({ error: '须为数字 / must be a number' });
          if (c.decimalDigits === 0) n = n.int('须为整数 / must be a whole number');
          if (v.min !== undefined) n = n.min(v.min, `不能小于 ${v.min} / must be at least ${v.min}`);
          if (v.max !== undefined) n = n.max(v.max, `不能大于 ${v.max} / must be at most ${v.max}`);
          field = n;
          break;
        }
        case 'checkbox':
          field = z.boolean({ error: '须为是或否 / must be true or false' });
          break;
        case 'select':
        case 'radio': {
          const options = (c.values ?? []).map((o) => o.value);
          field =
            options.length > 0
              ? z.enum(options as [string, ...string[]], { error: `须为以下之一 / must be one of: ${options.join(', ')}` })
              : z.string();
          break;
        }
        case 'checklist':
        case 'taglist':
          field = z.array(z.string());
          break;
        default: {
          let s = z.string({ error: '须为文字 / must be text' });
          if (v.required) s = s.trim().min(1, '此项必填 / is required');
          if (v.minLength !== undefined) s = s.min(v.minLength, `至少 ${v.minLength} 个字 / must have at least ${v.minLength} characters`);
          if (v.maxLength !== undefined) s = s.max(v.maxLength, `最多 ${v.maxLength} 个字 / must have at most ${v.maxLength} characters`);
          if (v.pattern) s = s.regex(new RegExp(v.pattern), `格式不正确 / must match ${v.pattern}`);
          field = s;
        }
      }
      const decision = isDecision(c);
      if (decision) decisions.push({ key: c.key, noteKey: noteKeyOf(c) });
      // form-js keys may be paths ("customer.name"); editable fields here are flat, so a dotted key stays a literal name.
      shape[c.key] = decision
        ? z.boolean({ error: '请选择通过或驳回 / choose yes or no' })
        : v.required
          ? field
          : field.optional().nullable();
    }
  };
  visit(form.components);
  return z
    .object(shape)
    .strict()
    .superRefine((values, ctx) => {
      for (const d of decisions) {
        if (values[d.key] !== false || !d.noteKey) continue;
        const note = values[d.noteKey];
        if (typeof note !== 'string' || !note.trim())
          ctx.addIssue({ code: 'custom', path: [d.noteKey], message: '驳回须写明原因 / a reason is required for no' });
      }
    });
}
