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
  errorOrder: CHANGE_DATA_INCONSISTENT,
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
    if (!order) return fail(`订单 ${variables.orderId} 不在订单表中 / Order ${variables.orderId} is not in the order table.`);
    if (order.state !== 'completed')
      return fail(
        `订单 ${variables.orderId} 尚未装机完成（${order.state}），暂无可变更的线路 / Order ${variables.orderId} is ${order.state}, not an installed line: nothing to change yet.`,
      );
    const ports = await deps.inventory.portsOf(variables.orderId);
    const port = ports.find((p) => p.grid === variables.grid);
    if (!port) {
      const held = ports.map((p) => `${p.label} (${p.grid})`).join(', ');
      return fail(
        held
          ? `资源系统中订单 ${variables.orderId} 的线路在其他网格（${held}），与订单所填网格 ${variables.grid} 不符 / The inventory holds the line of order ${variables.orderId} in another grid (${held}), not in ${variables.grid} as the order says.`
          : `资源系统中没有订单 ${variables.orderId} 的端口，线路未登记为在用 / The inventory holds no port for order ${variables.orderId}: the line is not recorded as in service.`,
      );
    }
    let newProduct = variables.newProduct ?? null;
    if (variables.changeType === 'product-change') {
      const code = variables.correctedProductCode ?? variables.newProduct?.code;
      const product = code ? await deps.catalogue.find(code) : undefined;
      if (!product)
        return fail(
          `产品 ${code ?? '（无）'} 不在产品目录中或已停售 / Product ${code ?? '(none)'} is not in the catalogue or no longer on sale.`,
          { productCode: code ?? null },
        );
      // The catalogue is the authority on name, bandwidth and fee.
      newProduct = product;
    }
    return { verifiedPort: port.label, newProduct, correctedProductCode: null };
  },
});
