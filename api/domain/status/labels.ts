/**
 * Plain words for people (the order-tracking page on a phone, the TMF milestones): each BPMN stage
 * in Chinese and English. A stage without a label here (one a process owner adds later) reads as its
 * model names it: the BPMN name (Chinese) and its `name.en` extension property.
 */
export interface Label {
  zh: string;
  en: string;
}

export const STAGE_LABELS: Record<string, Label> = {
  // home-broadband-new-install
  'order-received': { zh: '订单已受理', en: 'Order received' },
  'intake-order': { zh: '订单录入', en: 'Order intake' },
  'review-order': { zh: '订单中心资料审核', en: 'Order center review' },
  'fix-error-order': { zh: '正在核实订单信息', en: 'Checking your order details' },
  'check-resources': { zh: '资源核查', en: 'Checking network resources' },
  'route-install-crew': { zh: '派单至装维班组', en: 'Dispatching to the install crew' },
  'make-appointment': { zh: '装维人员预约上门时间', en: 'Crew booking a visit with you' },
  'install-onsite': { zh: '上门安装', en: 'Installing at your home' },
  'activate-service': { zh: '开通业务', en: 'Activating the service' },
  'quality-check': { zh: '质量检查', en: 'Quality check' },
  'rectify-install': { zh: '安装整改', en: 'Fixing the installation' },
  'await-confirmation': { zh: '等待您确认装机', en: 'Waiting for you to confirm the install' },
  'customer-confirmed': { zh: '您已确认装机', en: 'You confirmed the install' },
  'customer-reported-problem': { zh: '您反映了问题，安排整改', en: 'You reported a problem: being fixed' },
  'auto-confirmed': { zh: '超时自动确认', en: 'Confirmed automatically' },
  revisit: { zh: '客户回访', en: 'Satisfaction call' },
  'archive-order': { zh: '归档', en: 'Archiving' },
  'order-archived': { zh: '已完成', en: 'Completed' },
  'close-rejected': { zh: '审核未通过，关闭订单', en: 'Closing: not approved' },
  'order-rejected': { zh: '审核未通过', en: 'Not approved' },
  'no-resources': { zh: '资源不足', en: 'No free port in your area' },
  'close-insufficient': { zh: '资源不足，关闭订单', en: 'Closing: no free port' },
  'order-closed-no-resources': { zh: '因资源不足关闭', en: 'Closed: no free port' },
  'cancel-requested': { zh: '您已申请撤单', en: 'You asked to cancel' },
  'release-resources': { zh: '释放预占资源', en: 'Releasing the reserved port' },
  'close-cancelled': { zh: '撤单处理', en: 'Closing the cancelled order' },
  'order-cancelled': { zh: '已撤单', en: 'Cancelled' },
  'close-error-cancelled': { zh: '订单信息有误，撤销中', en: 'Closing: the order details could not be verified' },
  'order-error-cancelled': { zh: '订单信息有误，已撤销', en: 'Cancelled: the order details could not be verified' },
  // fault-trouble-ticket
  'fault-reported': { zh: '故障已受理', en: 'Fault reported' },
  'prediagnose-fault': { zh: '故障预判断', en: 'Pre-diagnosis' },
  'repair-deadline': { zh: '确定修复时限', en: 'Setting the repair deadline' },
  'fix-error-ticket': { zh: '工单信息核实中', en: 'Checking the ticket data' },
  'resolve-online': { zh: '在线处理', en: 'Fixing it remotely' },
  'dispatch-repair': { zh: '派单', en: 'Dispatching a repair crew' },
  'accept-repair': { zh: '维修班组接单', en: 'Crew accepting the job' },
  'repair-onsite': { zh: '上门维修', en: 'Repair on site' },
  'confirm-recovery': { zh: '确认恢复', en: 'Confirming the service is back' },
  'revisit-fault': { zh: '回访', en: 'Satisfaction call' },
  'close-ticket': { zh: '关闭工单', en: 'Closing the ticket' },
  'ticket-closed': { zh: '已关闭', en: 'Closed' },
  'close-error-ticket': { zh: '报障信息有误，撤销中', en: 'Closing: the reported details could not be verified' },
  'error-ticket-cancelled': { zh: '报障信息有误，已撤销', en: 'Cancelled: the reported details could not be verified' },
  'customer-wait-started': { zh: '因客户原因暂停', en: 'Paused: waiting on you' },
  'start-sla-pause': { zh: '修复计时暂停', en: 'Repair clock paused' },
  'await-customer': { zh: '等待客户（计时暂停）', en: 'Waiting for you (clock paused)' },
  'end-sla-pause': { zh: '客户原因等待结束', en: 'The wait is over' },
  'confirm-sla-pause': { zh: '客响中心确认暂停', en: 'Response center checking the pause' },
  'resume-sla': { zh: '恢复修复计时', en: 'Repair clock resumed' },
  // complaint
  'complaint-received': { zh: '投诉已受理', en: 'Complaint received' },
  'complaint-guide': { zh: '按投诉处理向导分派', en: 'Following the complaint guide' },
  'handle-complaint': { zh: '投诉处理', en: 'Handling your complaint' },
  'fix-error-complaint': { zh: '投诉信息核实中', en: 'Checking the complaint data' },
  'generate-dispatch': { zh: '生成派单信息', en: 'Preparing a visit' },
  'route-visit-crew': { zh: '派单至网格班组', en: 'Dispatching the grid crew' },
  'complaint-field-visit': { zh: '上门处理', en: 'Visit at your home' },
  'reply-customer': { zh: '答复客户', en: 'Replying to you' },
  'close-complaint': { zh: '关闭投诉', en: 'Closing the complaint' },
  'complaint-closed': { zh: '已关闭', en: 'Closed' },
  // home-broadband-change and its called processes
  'change-requested': { zh: '变更已受理', en: 'Change requested' },
  'verify-change': { zh: '变更资料核查', en: 'Checking the change' },
  'fix-error-change': { zh: '变更信息核实中', en: 'Checking the change data' },
  'billing-new-product': { zh: '计费变更为新套餐', en: 'Billing: new package' },
  'relocation-resources': { zh: '新地址资源核查', en: 'Resources at the new address' },
  'relocation-work': { zh: '上门移机', en: 'Moving the line on site' },
  'release-old-port': { zh: '释放原端口', en: 'Releasing the old port' },
  'billing-relocation': { zh: '计费变更（移机）', en: 'Billing: relocation' },
  'refuse-relocation': { zh: '新地址无资源，移机关闭', en: 'Closing: no port at the new address' },
  'relocation-refused': { zh: '移机未能办理', en: 'Relocation not possible' },
  'wait-cancel-date': { zh: '等待预约销户日期', en: 'Waiting for the requested date' },
  'release-line': { zh: '释放端口', en: 'Releasing the port' },
  'billing-stop': { zh: '停止计费', en: 'Billing stopped' },
  'repair-work': { zh: '上门维修终端', en: 'Terminal repair on site' },
  'close-change': { zh: '关闭变更', en: 'Closing the change' },
  'change-done': { zh: '变更完成', en: 'Change done' },
  'rc-check-resources': { zh: '资源核查', en: 'Checking network resources' },
  'fw-route-crew': { zh: '派单至网格班组', en: 'Dispatching the grid crew' },
  'fw-appointment': { zh: '预约上门时间', en: 'Booking a visit with you' },
  'fw-onsite': { zh: '上门施工', en: 'Work on site' },
  'bc-change-billing': { zh: '计费变更', en: 'Changing the billing' },
  // enterprise-line-new-install
  'commission-received': { zh: '设计委托已受理', en: 'Design commission received' },
  survey: { zh: '现场勘察', en: 'Site survey' },
  design: { zh: '方案设计', en: 'Solution design' },
  'accept-line-order': { zh: '订单受理', en: 'Order acceptance' },
  'plan-construction': { zh: '施工计划', en: 'Planning the construction' },
  'branch-work': { zh: '分公司施工', en: 'Construction by the branches' },
  'branch-resources': { zh: '资源核查', en: 'Checking network resources' },
  construction: { zh: '施工及录入', en: 'Construction and records' },
  'activation-test': { zh: '开通测试', en: 'Activation test' },
  'fix-activation': { zh: '整改复测', en: 'Fix and retest' },
  'customer-acceptance': { zh: '客户验收', en: 'Customer acceptance' },
  'handover-maintenance': { zh: '交维', en: 'Handover to maintenance' },
  'start-line-billing': { zh: '起租计费', en: 'Billing start' },
  'record-in-inventory': { zh: '录入资源库', en: 'Recording in inventory' },
  'line-in-service': { zh: '专线已开通', en: 'Line in service' },
  'close-refused-line': { zh: '订单未受理，关闭', en: 'Closing: order refused' },
  'line-order-refused': { zh: '订单未受理', en: 'Order refused' },
  'fix-error-line': { zh: '正在核实订单信息', en: 'Checking your order details' },
  'line-order-cancelled': { zh: '已撤单', en: 'Cancelled' },
};

export function stageLabel(elementId: string, bpmnName: string | null, bpmnNameEn: string | null = null): Label {
  return STAGE_LABELS[elementId] ?? { zh: bpmnName ?? elementId, en: bpmnNameEn ?? bpmnName ?? elementId };
}

export const STATE_LABELS: Record<string, Label> = {
  acknowledged: { zh: '已受理', en: 'Received' },
  inProgress: { zh: '处理中', en: 'In progress' },
  pending: { zh: '等待您的操作', en: 'Waiting for you' },
  held: { zh: '核实中', en: 'Being checked' },
  pendingCancellation: { zh: '撤单处理中', en: 'Cancelling' },
  resolved: { zh: '已解决，待确认', en: 'Resolved' },
  completed: { zh: '已完成', en: 'Completed' },
  closed: { zh: '已关闭', en: 'Closed' },
  failed: { zh: '未能办理', en: 'Could not be done' },
  cancelled: { zh: '已撤销', en: 'Cancelled' },
};

export const KIND_LABELS: Record<string, Label> = {
  'home-broadband-new-install': { zh: '家庭宽带新装', en: 'Home broadband new install' },
  'home-broadband-change': { zh: '家庭宽带变更', en: 'Home broadband change' },
  'enterprise-line-new-install': { zh: '集客专线新装', en: 'Enterprise dedicated line' },
  fault: { zh: '故障报修', en: 'Fault repair' },
  complaint: { zh: '投诉', en: 'Complaint' },
};

/**
 * What customers read of an escalation: that their order is being pressed, not the operator's own
 * reason (错单, 派单超时…), which staff read in the escalation itself.
 */
export const ESCALATION_REASON_FOR_CUSTOMERS: Label = {
  zh: '处理时间较长，已升级督办，加快为您处理',
  en: 'This is taking longer than planned: it has been escalated so that it is handled sooner',
};

export const ESCALATION_LABELS: Record<string, Label> = {
  county: { zh: '已升级至县分公司客响中心', en: 'Escalated to the county response center' },
  branch: { zh: '已升级至分公司客响中心', en: 'Escalated to the branch response center' },
  region: { zh: '已升级至区公司客响中心', en: 'Escalated to the region response center' },
};
