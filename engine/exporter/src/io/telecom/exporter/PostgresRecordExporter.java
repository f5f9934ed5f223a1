package io.telecom.exporter;

import io.camunda.zeebe.exporter.api.Exporter;
import io.camunda.zeebe.exporter.api.context.Context;
import io.camunda.zeebe.exporter.api.context.Controller;
import io.camunda.zeebe.exporter.api.context.ScheduledTask;
import io.camunda.zeebe.protocol.record.Record;
import io.camunda.zeebe.protocol.record.RecordType;
import io.camunda.zeebe.protocol.record.ValueType;
import io.camunda.zeebe.protocol.record.value.ProcessInstanceRelated;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * Exports the engine's event records into our PostgreSQL table engine_record, from which the
 * application projects its read model (order timelines, open user tasks, incidents).
 *
 * <p>Why: the Camunda distribution reachable from Maven Central here has no RDBMS secondary
 * storage, so the engine's own history would need Elasticsearch. This exporter is the small
 * stand-in: it writes each event once (the primary key is partition + position, inserts are
 * idempotent), acknowledges a position only after its batch is committed, and so loses nothing
 * across restarts or database outages (the broker retries an export that throws).
 */
public final class PostgresRecordExporter implements Exporter {
  private static final Set<ValueType> EXPORTED =
      EnumSet.of(
          ValueType.PROCESS_INSTANCE,
          ValueType.USER_TASK,
          ValueType.INCIDENT,
          ValueType.PROCESS,
          ValueType.JOB,
          ValueType.FORM,
          ValueType.VARIABLE);

  private static final String INSERT =
      "INSERT INTO engine_record (partition_id, position, value_type, intent, record_key,"
          + " process_instance_key, occurred_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)"
          + " ON CONFLICT DO NOTHING";

  private Logger log;
  private String url;
  private String user;
  private String password;
  private int batchSize;
  private Duration flushInterval;
  private Controller controller;
  private Connection connection;
  private ScheduledTask flushTask;
  private final List<Row> batch = new ArrayList<>();

  /** A copy of what we keep of a record: the broker reuses record objects after export(). */
  private record Row(
      int partitionId,
      long position,
      String valueType,
      String intent,
      long key,
      long processInstanceKey,
      long timestamp,
      String json) {}

  @Override
  public void configure(final Context context) {
    log = context.getLogger();
    final Map<String, Object> args = context.getConfiguration().getArguments();
    url = String.valueOf(args.getOrDefault("url", "jdbc:postgresql://127.0.0.1:5432/telecom"));
    user = String.valueOf(args.getOrDefault("username", "postgres"));
    password = String.valueOf(args.getOrDefault("password", ""));
    batchSize = Integer.parseInt(String.valueOf(args.getOrDefault("batchSize", "200")));
    flushInterval =
        Duration.ofMillis(Long.parseLong(String.valueOf(args.getOrDefault("flushMillis", "20"))));
    context.setFilter(
        new Context.RecordFilter() {
          @Override
          public boolean acceptType(final RecordType type) {
            return type == RecordType.EVENT;
          }

          @Override
          public boolean acceptValue(final ValueType type) {
            return EXPORTED.contains(type);
          }
        });
  }

  @Override
  public void open(final Controller controller) {
    this.controller = controller;
    scheduleFlush();
  }

  @Override
  public void export(final Record<?> record) {
    // After a failed flush the broker calls export() again with the same record.
    final boolean seen =
        !batch.isEmpty() && batch.get(batch.size() - 1).position() >= record.getPosition();
    if (!seen) {
      final long processInstanceKey =
          record.getValue() instanceof ProcessInstanceRelated related
              ? related.getProcessInstanceKey()
              : -1L;
      batch.add(
          new Row(
              record.getPartitionId(),
              record.getPosition(),
              record.getValueType().name(),
              record.getIntent().name(),
              record.getKey(),
              processInstanceKey,
              record.getTimestamp(),
              record.toJson()));
    }
    if (batch.size() >= batchSize) {
      // Throwing here makes the broker retry this record later; the batch is kept.
      flush();
    }
  }

  @Override
  public void close() {
    if (flushTask != null) {
      flushTask.cancel();
    }
    try {
      flush();
    } catch (final RuntimeException e) {
      log.warn("Could not flush {} records on close; they will be exported again", batch.size(), e);
    }
    closeConnection();
  }

  private void scheduleFlush() {
    flushTask =
        controller.scheduleCancellableTask(
            flushInterval,
            () -> {
              try {
                flush();
              } catch (final RuntimeException e) {
                log.warn("Flush to PostgreSQL failed, retrying: {}", e.getMessage());
              }
              scheduleFlush();
            });
  }

  private void flush() {
    if (batch.isEmpty()) {
      return;
    }
    try {
      final Connection c = connection();
      try (PreparedStatement insert = c.prepareStatement(INSERT)) {
        for (final Row r : batch) {
          insert.setInt(1, r.partitionId());
          insert.setLong(2, r.position());
          insert.setString(3, r.valueType());
          insert.setString(4, r.intent());
          insert.setLong(5, r.key());
          if (r.processInstanceKey() > 0) {
            insert.setLong(6, r.processInstanceKey());
          } else {
            insert.setNull(6, Types.BIGINT);
          }
          insert.setTimestamp(7, new Timestamp(r.timestamp()));
          insert.setString(8, r.json());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      try (Statement notify = c.createStatement()) {
        notify.execute("NOTIFY engine_record");
      }
      c.commit();
      final long last = batch.get(batch.size() - 1).position();
      batch.clear();
      controller.updateLastExportedRecordPosition(last);
    } catch (final SQLException e) {
      closeConnection();
      throw new IllegalStateException("Export to PostgreSQL failed: " + e.getMessage(), e);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = DriverManager.getConnection(url, user, password);
      connection.setAutoCommit(false);
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (final SQLException ignored) {
        // the connection is being discarded after an error
      }
      connection = null;
    }
  }
}
