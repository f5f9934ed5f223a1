import { sideOfPair } from '../../../contracts/names.ts';
import type { Language } from './language.ts';

/**
 * Why an order or ticket is in its state, in words for customers. The workers and the status
 * projection store a stable English phrase ("Cancelled as an error ticket: <note>"); what people
 * read is that phrase in their language, without the operator's internal jargon (错单), the note
 * as the clerk or customer wrote it. An unknown phrase reads as stored; a stored "中文 / English"
 * pair is split by language.
 */
const REASONS: Record<string, { zh: string; en: string }> = {
  Received: { zh: '已受理', en: 'Received' },
  'Work started': { zh: '已开始处理', en: 'Work started' },
  'Work resumed': { zh: '继续处理', en: 'Work resumed' },
  Done: { zh: '已完成', en: 'Done' },
  Closed: { zh: '已关闭', en: 'Closed' },
  'Closed without completion': { zh: '未完成即关闭', en: 'Closed without completion' },
  Cancelled: { zh: '已撤销', en: 'Cancelled' },
  'Cancelled by the customer': { zh: '客户申请撤销', en: 'Cancelled at your request' },
  'Cancellation requested': { zh: '已申请撤销', en: 'Cancellation requested' },
  'Rejected at order-center review': { zh: '订单资料审核未通过', en: 'The order was not approved at review' },
  'Insufficient resources in the grid': { zh: '您所在区域暂无可用端口', en: 'No free port in your area' },
  'Refused: no free access port at the new address': {
    zh: '新地址暂无可用端口，无法移机',
    en: 'No free port at the new address: the move is not possible',
  },
  'Cancelled as an error ticket': { zh: '经核实报障信息有误，工单已撤销', en: 'Cancelled: the reported details could not be verified' },
  'Cancelled as an error change': { zh: '经核实变更信息有误，申请已撤销', en: 'Cancelled: the change details could not be verified' },
  'Cancelled as an error complaint': { zh: '经核实投诉信息有误，已撤销', en: 'Cancelled: the complaint details could not be verified' },
  'Cancelled as an error order': { zh: '经核实订单信息有误，已撤销', en: 'Cancelled: the order details could not be verified' },
  'Refused at order acceptance': { zh: '订单未能受理', en: 'The order could not be accepted' },
  'The order data is being corrected by the order center': { zh: '正在核实订单信息', en: 'Your order details are being checked' },
  'The ticket data is being checked by the response center': { zh: '正在核实报障信息', en: 'The reported details are being checked' },
  'The complaint data is being checked': { zh: '正在核实投诉信息', en: 'Your complaint details are being checked' },
  'The change data is being corrected by the order center': { zh: '正在核实变更信息', en: 'Your change details are being checked' },
  'Waiting for the customer to confirm the install': { zh: '等待您确认装机', en: 'Waiting for you to confirm the install' },
  'Waiting for the requested cancellation date': { zh: '等待您预约的销户日期', en: 'Waiting for the cancellation date you asked for' },
  'Waiting for the customer to accept the line': { zh: '等待您验收专线', en: 'Waiting for you to accept the line' },
  'Repaired; the recovery is being confirmed': { zh: '已修复，正在确认业务恢复', en: 'Repaired: confirming the service is back' },
  'A repair is being dispatched': { zh: '正在派修', en: 'A repair crew is being dispatched' },
  'Handled; the customer is being replied to': { zh: '已处理，正在答复您', en: 'Handled: we are replying to you' },
};

export function reasonIn(lang: Language, stored: string): string;
export function reasonIn(lang: Language, stored: string | null): string | null;
export function reasonIn(lang: Language, stored: string | null): string | null {
  if (stored === null) return null;
  const side = sideOfPair(stored, lang);
  if (side !== null) return side;
  const known = REASONS[stored];
  if (known) return known[lang];
  const colon = stored.indexOf(': ');
  if (colon > 0) {
    const prefix = REASONS[stored.slice(0, colon)];
    const written = stored.slice(colon + 2).trim();
    const note = REASONS[written]?.[lang] ?? written;
    if (prefix) return lang === 'zh' ? `${prefix.zh}：${note}` : `${prefix.en}: ${note}`;
  }
  return stored;
}
