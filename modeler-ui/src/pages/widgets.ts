import { h } from '../dom.ts';
import { tr } from '../i18n.ts';

export function slaBadge(state: string) {
  return h('span', { class: `badge sla-${state}`, 'data-sla': state }, tr(`sla_${state}`));
}

export function levelBadge(level: string) {
  return h('span', { class: `badge level level-${level}` }, tr(`level_${level}`));
}
