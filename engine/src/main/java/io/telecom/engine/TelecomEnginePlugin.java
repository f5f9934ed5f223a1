package io.telecom.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.operaton.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.stereotype.Component;

/**
 * Our additions to the engine: JSON object variables, and the engine's events written to our
 * outbox table in its own transactions (history events and new deployments).
 */
@Component
public class TelecomEnginePlugin extends AbstractProcessEnginePlugin {
  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    configuration.setCustomSessionFactories(
        append(configuration.getCustomSessionFactories(), new EngineEventOutbox.Factory(), ArrayList::new));
    configuration.setCustomPreVariableSerializers(
        append(configuration.getCustomPreVariableSerializers(), new JsonValueSerializer(), ArrayList::new));
    configuration.setCustomPostDeployers(
        append(configuration.getCustomPostDeployers(), new DeploymentEventDeployer(), ArrayList::new));
    configuration.setCustomHistoryEventHandlers(
        append(configuration.getCustomHistoryEventHandlers(), new EngineEventHandler(), ArrayList::new));
  }

  private static <T> List<T> append(List<T> list, T item, Supplier<List<T>> empty) {
    List<T> result = list == null ? empty.get() : new ArrayList<>(list);
    result.add(item);
    return result;
  }
}
