import { z } from 'zod';
import { CHANGE_DATA_INCONSISTENT, ChangeTypeSchema } from '../../contracts/change.ts';
import { GridSchema, ProductSchema } from '../../contracts/home-broadband.ts';
import { BusinessError, defineJob } from '../job-definition.ts';

/**
 * Change verification (变更核查): a change applies to a line in service, so the order table (CRM)
 * must have the order completed and the resource inventory must hold its port in the grid the
 * order names; a product change must name a product on sale. Anything else is an error change for
 * the order center, which corrects the data (or the product) or cancels the change.
 */
export const verifyChange = defineJob({
  type: 'verify-change',
  description: 'Checks a change against the order table, the resource inventory and the catalogue; raises CHANGE_DATA_INCONSISTENT',
  input: z.object({
    changeId: z.string().min(1),
    orderId: z.string().min(1),
    grid: GridSchema,
    changeType: ChangeTypeSchema,
    newProduct: ProductSchema.nullish(),
    correctedProductCode: z.string().nullish(),
  }),
  output: z.object({ verifiedPort: z.string(), newProduct: ProductSchema.nullish(), correctedProductCode: z.null() }),
  async handler({ variables, deps }) {
    const fail = (reason: string, extra: Record<string, unknown> = {}): never => {
      throw new BusinessError(CHANGE_DATA_INCONSISTENT, reason, { errorOrder: { reason, orderId: variables.orderId, ...extra } });
    };
    const order = await deps.orders.find(variables.orderId);
    if (!order) return fail(`Order ${variables.orderId} is not in the order table.`);
    if (order.state !== 'completed')
      return fail(`Order ${variables.orderId} is ${order.state}, not an installed line: nothing to change yet.`);
    const ports = await deps.inventory.portsOf(variables.orderId);
    const port = ports.find((p) => p.grid === variables.grid);
    if (!port) {
      const held = ports.map((p) => `${p.label} (${p.grid})`).join(', ');
      return fail(
        held
          ? `The inventory holds the line of order ${variables.orderId} in another grid (${held}), not in ${variables.grid} as the order says.`
          : `The inventory holds no port for order ${variables.orderId}: the line is not recorded as in service.`,
      );
    }
    let newProduct = variables.newProduct ?? null;
    if (variables.changeType === 'product-change') {
      const code = variables.correctedProductCode ?? variables.newProduct?.code;
      const product = code ? await deps.catalogue.find(code) : undefined;
      if (!product) return fail(`Product ${code ?? '(none)'} is not in the catalogue or no longer on sale.`, { productCode: code ?? null });
      // The catalogue is the authority on name, bandwidth and fee.
      newProduct = product;
    }
    return { verifiedPort: port.label, newProduct, correctedProductCode: null };
  },
});
