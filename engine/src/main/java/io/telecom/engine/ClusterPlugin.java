package io.telecom.engine;

import java.util.ArrayList;
import java.util.List;
import org.operaton.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.operaton.bpm.engine.impl.interceptor.SessionFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What an engine node needs beside others on one database (docs/scaling.md): a name of its own in
 * the engine's logs and job history ({@code telecom.node-name}; the engine's default is the host's
 * address, the same for two nodes on one machine), and the notice to the other nodes when it makes an
 * external task available ({@link ExternalTaskNotice}, with {@code telecom.cluster-wakeup}).
 */
@Component
public class ClusterPlugin extends AbstractProcessEnginePlugin {
  private final String nodeName;
  private final boolean wakeup;

  public ClusterPlugin(
      @Value("${telecom.node-name:}") String nodeName, @Value("${telecom.cluster-wakeup:true}") boolean wakeup) {
    this.nodeName = nodeName;
    this.wakeup = wakeup;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    if (!nodeName.isBlank()) configuration.setHostname(nodeName);
    if (!wakeup) return;
    List<SessionFactory> factories =
        configuration.getCustomSessionFactories() == null
            ? new ArrayList<>()
            : new ArrayList<>(configuration.getCustomSessionFactories());
    factories.add(new ExternalTaskNotice.ManagerFactory());
    factories.add(new ExternalTaskNotice.Factory());
    configuration.setCustomSessionFactories(factories);
  }
}
