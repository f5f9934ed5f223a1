import bpmnJsZh from 'bpmn-js-i18n/translations/zn.js';
import { lang } from '../i18n.ts';

/**
 * The modeler in Chinese: bpmn-js's palette, context pad and replace menu from the community
 * translations (bpmn-js-i18n, MIT), and the Camunda 7 properties panel's groups and fields people
 * use most, through bpmn-js's `translate` service. English through the language switch.
 */
const PROPERTIES_PANEL_ZH: Record<string, string> = {
  General: '常规',
  Name: '名称',
  ID: '编号',
  Documentation: '说明',
  'Element documentation': '元素说明',
  'Process documentation': '流程说明',
  'Version tag': '版本标签',
  Executable: '可执行',
  'History cleanup': '历史清理',
  'Time to live': '保留时长',
  Tasklist: '任务列表',
  Startable: '可启动',
  'Candidate starter': '可启动人',
  'Candidate starter groups': '可启动组',
  'Candidate starter users': '可启动用户',
  'Asynchronous continuations': '异步执行',
  Before: '之前',
  After: '之后',
  Exclusive: '排他',
  'Job execution': '作业执行',
  'Retry time cycle': '重试周期',
  Priority: '优先级',
  Inputs: '输入',
  Outputs: '输出',
  'Input mapping': '输入映射',
  'Output mapping': '输出映射',
  'Local variable name': '局部变量名',
  'Process variable name': '流程变量名',
  'Assignment type': '赋值类型',
  'Execution listeners': '执行监听器',
  'Task listeners': '任务监听器',
  'Extension properties': '扩展属性',
  'Field injections': '字段注入',
  Form: '表单',
  'Form reference': '表单引用',
  Type: '类型',
  'Camunda Form (linked)': 'Camunda 表单（引用）',
  'Camunda Form (embedded)': 'Camunda 表单（内嵌）',
  'Custom form key': '自定义表单键',
  'User assignment': '处理人分配',
  Assignee: '处理人',
  'Candidate groups': '候选岗位组',
  'Candidate users': '候选用户',
  'Due date': '到期时间',
  'Follow up date': '跟进时间',
  Implementation: '实现方式',
  External: '外部任务',
  Topic: '主题',
  Retries: '重试次数',
  Timer: '定时器',
  'Timer definition type': '定时器类型',
  'Timer definition': '定时器定义',
  Date: '日期',
  Duration: '时长',
  Cycle: '周期',
  Message: '消息',
  'Global message reference': '全局消息引用',
  Error: '错误',
  'Global error reference': '全局错误引用',
  Code: '代码',
  'Code variable': '代码变量',
  'Message variable': '消息变量',
  Escalation: '升级',
  Condition: '条件',
  'Condition type': '条件类型',
  'Condition expression': '条件表达式',
  Expression: '表达式',
  Script: '脚本',
  Format: '格式',
  'Multi-instance': '多实例',
  'Loop cardinality': '循环次数',
  Collection: '集合',
  'Element variable': '元素变量',
  'Completion condition': '完成条件',
  'Called element': '被调用流程',
  'Business key': '业务键',
  'In mappings': '传入映射',
  'Out mappings': '传出映射',
  'In mapping propagation': '传入变量',
  'Out mapping propagation': '传出变量',
  'Propagate all variables': '传递所有变量',
  Source: '来源',
  'Source expression': '来源表达式',
  Target: '目标',
  Local: '局部',
  Binding: '绑定',
  Version: '版本',
  'Tenant ID': '租户编号',
  'Result variable': '结果变量',
  'Decision reference': '决策引用',
  Value: '值',
  Values: '值',
  Variables: '变量',
  'Variable name': '变量名',
  'Event type': '事件类型',
  'Listener type': '监听器类型',
  'Java class': 'Java 类',
  'Delegate expression': '委托表达式',
  Template: '模板',
  Add: '添加',
  Remove: '删除',
  'Create new ...': '新建…',
  '<none>': '<无>',
  '<empty>': '<空>',
  'Learn more.': '了解更多。',
  'Wait for completion': '等待完成',
  Initiator: '发起人',
  'Start initiator': '发起人变量',
  Data: '数据',
};

const ZH: Record<string, string> = { ...(bpmnJsZh as Record<string, string>), ...PROPERTIES_PANEL_ZH };

function translate(template: string, replacements: Record<string, string> = {}): string {
  const text = lang() === 'zh' ? (ZH[template] ?? template) : template;
  return text.replace(/{([^}]+)}/g, (_, key: string) => replacements[key] ?? `{${key}}`);
}

/** A diagram-js module replacing the `translate` service. */
export const translateModule = { translate: ['value', translate] };

/** bpmnlint's messages (the recommended rules) in Chinese. */
const LINT_ZH: [RegExp, string][] = [
  [/^Element is missing label\/name$/, '元素缺少名称'],
  [/^Element is missing bpmndi$/, '元素缺少图形信息'],
  [/^Element has no outgoing connection$/, '元素没有流出连线'],
  [/^Element has no incoming connection$/, '元素没有流入连线'],
  [/^Element is not connected$/, '元素未连接'],
  [/^Process is missing start event$/, '流程缺少开始事件'],
  [/^Process is missing end event$/, '流程缺少结束事件'],
  [/^Gateway forks and joins$/, '网关同时分支和汇合'],
  [/^Gateway is superfluous\. It only has one source and target\.$/, '网关多余：只有一个来源和一个目标'],
  [/^Incoming flows do not join$/, '流入连线没有汇合'],
  [/^Duplicate sequence flow/, '重复的连线'],
  [/^Start event is missing event definition$/, '开始事件缺少事件定义'],
  [/^Sequence flow is missing condition$/, '连线缺少条件'],
  [/^Element is a fake join$/, '元素是假汇合'],
  [/^Element is missing/, '元素缺少必填属性'],
];

export function lintMessage(message: string): string {
  if (lang() !== 'zh') return message;
  for (const [pattern, zh] of LINT_ZH) if (pattern.test(message)) return `${zh}（${message}）`;
  return message;
}
