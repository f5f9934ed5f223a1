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
  components?: FormComponent[];
}

const INPUT_TYPES = new Set(['textfield', 'textarea', 'number', 'checkbox', 'select', 'radio', 'checklist', 'taglist', 'datetime']);

/**
 * Derives the zod schema of the variables a form submits: one field per editable input, with
 * the form's own validation (required, min/max, length, pattern, options). Read-only fields
 * show process data and are not accepted back. Unknown fields are refused.
 */
export function formVariablesSchema(form: { components?: FormComponent[] }): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
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
      // form-js keys may be paths ("customer.name"); editable fields here are flat, so a dotted key stays a literal name.
      shape[c.key] = v.required ? field : field.optional().nullable();
    }
  };
  visit(form.components);
  return z.object(shape).strict();
}
