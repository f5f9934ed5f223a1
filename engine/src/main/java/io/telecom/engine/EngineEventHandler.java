package io.telecom.engine;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.operaton.bpm.engine.impl.history.event.HistoricActivityInstanceEventEntity;
import org.operaton.bpm.engine.impl.history.event.HistoricIdentityLinkLogEventEntity;
import org.operaton.bpm.engine.impl.history.event.HistoricIncidentEventEntity;
import org.operaton.bpm.engine.impl.history.event.HistoricProcessInstanceEventEntity;
import org.operaton.bpm.engine.impl.history.event.HistoricTaskInstanceEventEntity;
import org.operaton.bpm.engine.impl.history.event.HistoricVariableUpdateEventEntity;
import org.operaton.bpm.engine.impl.history.event.HistoryEvent;
import org.operaton.bpm.engine.impl.history.handler.HistoryEventHandler;
import org.operaton.bpm.engine.impl.util.ClockUtil;

/**
 * Turns the engine's history events into our event rows (EngineEventOutbox): process instances,
 * activity instances (stages and overlays), user tasks, their candidate groups, variables and
 * incidents. The engine's own history tables are still written (the default handler stays on).
 */
public final class EngineEventHandler implements HistoryEventHandler {
  @Override
  public void handleEvent(HistoryEvent event) {
    EngineEventOutbox outbox = EngineEventOutbox.current();
    if (outbox == null) return;
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("processInstanceId", event.getProcessInstanceId());
    p.put("rootProcessInstanceId", event.getRootProcessInstanceId());
    p.put("processDefinitionId", event.getProcessDefinitionId());
    p.put("processDefinitionKey", event.getProcessDefinitionKey());
    p.put("executionId", event.getExecutionId());
    String kind;
    if (event instanceof HistoricProcessInstanceEventEntity e) {
      kind = "process-instance";
      p.put("businessKey", e.getBusinessKey());
      p.put("superProcessInstanceId", e.getSuperProcessInstanceId());
      p.put("state", e.getState());
      p.put("deleteReason", e.getDeleteReason());
      p.put("startTime", iso(e.getStartTime()));
      p.put("endTime", iso(e.getEndTime()));
    } else if (event instanceof HistoricActivityInstanceEventEntity e) {
      kind = "activity-instance";
      p.put("activityInstanceId", e.getActivityInstanceId());
      p.put("parentActivityInstanceId", e.getParentActivityInstanceId());
      p.put("activityId", e.getActivityId());
      p.put("activityName", e.getActivityName());
      p.put("activityType", e.getActivityType());
      p.put("calledProcessInstanceId", e.getCalledProcessInstanceId());
      p.put("taskId", e.getTaskId());
      p.put("canceled", e.isCanceled());
      p.put("completeScope", e.isCompleteScope());
      p.put("startTime", iso(e.getStartTime()));
      p.put("endTime", iso(e.getEndTime()));
    } else if (event instanceof HistoricTaskInstanceEventEntity e) {
      kind = "task";
      p.put("taskId", e.getTaskId());
      p.put("taskDefinitionKey", e.getTaskDefinitionKey());
      p.put("activityInstanceId", e.getActivityInstanceId());
      p.put("name", e.getName());
      p.put("assignee", e.getAssignee());
      p.put("priority", e.getPriority());
      p.put("dueDate", iso(e.getDueDate()));
      p.put("deleteReason", e.getDeleteReason());
      p.put("startTime", iso(e.getStartTime()));
      p.put("endTime", iso(e.getEndTime()));
    } else if (event instanceof HistoricIdentityLinkLogEventEntity e) {
      kind = "identity-link";
      p.put("taskId", e.getTaskId());
      p.put("type", e.getType());
      p.put("groupId", e.getGroupId());
      p.put("userId", e.getUserId());
      p.put("operationType", e.getOperationType());
    } else if (event instanceof HistoricVariableUpdateEventEntity e) {
      // The variable's new value (create, update, delete); the per-change detail rows add nothing.
      if ("update-detail".equals(e.getEventType())) return;
      kind = "variable";
      p.put("variableInstanceId", e.getVariableInstanceId());
      p.put("name", e.getVariableName());
      p.put("scopeActivityInstanceId", e.getScopeActivityInstanceId());
      p.put("activityInstanceId", e.getActivityInstanceId());
      p.put("taskId", e.getTaskId());
      p.put("serializer", e.getSerializerName());
      p.put("value", valueOf(e));
    } else if (event instanceof HistoricIncidentEventEntity e) {
      kind = "incident";
      p.put("incidentId", e.getId());
      p.put("incidentType", e.getIncidentType());
      p.put("incidentMessage", e.getIncidentMessage());
      p.put("activityId", e.getActivityId());
      p.put("failedActivityId", e.getFailedActivityId());
      p.put("configuration", e.getConfiguration());
      p.put("resolved", e.isResolved());
      p.put("deleted", e.isDeleted());
      p.put("createTime", iso(e.getCreateTime()));
      p.put("endTime", iso(e.getEndTime()));
    } else {
      return;
    }
    p.put("at", iso(ClockUtil.getCurrentTime()));
    outbox.add(new EngineEventOutbox.Event(kind, event.getEventType(), event.getProcessInstanceId(), p));
  }

  @Override
  public void handleEvents(List<HistoryEvent> events) {
    for (HistoryEvent e : events) handleEvent(e);
  }

  /** The variable's value as JSON: our serializers' values are strings, numbers, booleans, dates, maps and lists. */
  private static Object valueOf(HistoricVariableUpdateEventEntity e) {
    String serializer = e.getSerializerName();
    if (serializer == null) return null;
    return switch (serializer) {
      case "string" -> e.getTextValue();
      case "integer", "short", "long" -> e.getLongValue();
      case "double" -> e.getDoubleValue();
      case "boolean" -> e.getLongValue() == null ? null : e.getLongValue() == 1L;
      case "date" -> e.getLongValue() == null ? null : iso(new Date(e.getLongValue()));
      case JsonValueSerializer.NAME -> JsonValueSerializer.parse(e.getByteValue());
      default -> null;
    };
  }

  static String iso(Date date) {
    return date == null ? null : date.toInstant().toString();
  }
}
