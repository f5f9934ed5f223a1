package io.telecom.engine;

import java.util.Map;
import org.operaton.bpm.engine.ProcessEngine;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.operaton.bpm.engine.impl.jobexecutor.JobExecutor;
import org.operaton.bpm.engine.impl.util.ClockUtil;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Moves the engine's clock, for tests only (telecom.clock-control=true; never in production):
 * timers fire from this clock, so a test advances it instead of sleeping. After a move the job
 * executor is woken so due timers fire at once.
 */
@RestController
@RequestMapping("/telecom/clock")
@ConditionalOnProperty(name = "telecom.clock-control", havingValue = "true")
public class ClockControl {
  private final ProcessEngine engine;
  /** How far the clock runs ahead of real time; it keeps running, as real time does. */
  private long offsetMilli;

  public ClockControl(ProcessEngine engine) {
    this.engine = engine;
  }

  @GetMapping
  public Map<String, Object> now() {
    return Map.of("epochMilli", ClockUtil.getCurrentTime().getTime());
  }

  /** Moves the clock forward by offsetMilli from its current reading. */
  @PostMapping("/add")
  public Map<String, Object> add(@RequestBody Map<String, Number> body) {
    synchronized (this) {
      offsetMilli += body.getOrDefault("offsetMilli", 0).longValue();
      ClockUtil.offset(offsetMilli);
    }
    wakeJobExecutor();
    return now();
  }

  /** Back to the real time. */
  @DeleteMapping
  public synchronized void reset() {
    offsetMilli = 0;
    ClockUtil.resetClock();
    wakeJobExecutor();
  }

  private void wakeJobExecutor() {
    JobExecutor jobExecutor = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getJobExecutor();
    if (jobExecutor != null) jobExecutor.jobWasAdded();
  }
}
