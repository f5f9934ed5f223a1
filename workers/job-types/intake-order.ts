import { z } from 'zod';
import { ORDER_DATA_INCONSISTENT, OrderVariablesSchema, ProductSchema } from '../../contracts/home-broadband.ts';
import { BusinessError, defineJob } from '../job-definition.ts';

/**
 * Order intake (受理): checks the order against the catalogue and moves it to in progress.
 * Inconsistent data (a product not on sale) is an error order for the order center.
 */
export const intakeOrder = defineJob({
  type: 'intake-order',
  errorOrder: ORDER_DATA_INCONSISTENT,
  description: 'Checks the order against the product catalogue and registers it as in progress',
  input: OrderVariablesSchema.pick({ orderId: true, product: true }).extend({ correctedProductCode: z.string().nullish() }),
  output: z.object({ intakeAt: z.string(), product: ProductSchema, correctedProductCode: z.null() }),
  async handler({ variables, deps }) {
    if (!(await deps.orders.exists(variables.orderId))) {
      // Transient: retried with back-off; after the last retry an incident shows the order is missing.
      throw new Error(`order ${variables.orderId} is not in the order table (yet)`);
    }
    const code = variables.correctedProductCode ?? variables.product.code;
    const product = await deps.catalogue.find(code);
    if (!product) {
      throw new BusinessError(ORDER_DATA_INCONSISTENT, `product ${code} is not on sale`, {
        errorOrder: {
          reason: `产品 ${code} 不在产品目录中或已停售 / Product ${code} is not in the catalogue or no longer on sale.`,
          productCode: code,
        },
      });
    }
    const at = deps.now();
    await deps.orders.setProduct(variables.orderId, product);
    await deps.orders.setState(variables.orderId, 'inProgress', null, at);
    // The catalogue is the authority on name, bandwidth and fee.
    return { intakeAt: at.toISOString(), product, correctedProductCode: null };
  },
});
