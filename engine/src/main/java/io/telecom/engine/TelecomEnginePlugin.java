package io.telecom.engine;

import com.zaxxer.hikari.HikariDataSource;
import io.telecom.engine.console.ConsoleIdentityProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Supplier;
import org.operaton.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.stereotype.Component;

/**
 * Our additions to the engine: JSON object variables, and the engine's events written to our
 * outbox table in its own transactions (history events and new deployments); numeric ids from a
 * pool of their own; no application beans in expressions.
 */
@Component
public class TelecomEnginePlugin extends AbstractProcessEnginePlugin {
  private final DataSourceProperties dataSource;

  public TelecomEnginePlugin(DataSourceProperties dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    // Numeric ids come in blocks fetched in a transaction of their own. On the main pool, a full
    // pool of commands each waiting for a connection to fetch the next block deadlocks until the
    // pool's timeout (seen under load: every connection idle in transaction, 500s after 30 s).
    HikariDataSource ids = dataSource.initializeDataSourceBuilder().type(HikariDataSource.class).build();
    ids.setPoolName("id-generator");
    ids.setMaximumPoolSize(2);
    ids.setMinimumIdle(1);
    ids.setSchema("operaton");
    configuration.setIdGeneratorDataSource(ids);
    configuration.setIdBlockSize(1000);
    // Expressions in process models see process variables, not the application's beans (the data
    // source, the environment): an uploaded model must not reach into the engine.
    configuration.setBeans(new HashMap<>());
    // The console's logins are our own users (admins and process owners), not a second list in ACT_ID_*.
    configuration.setIdentityProviderSessionFactory(new ConsoleIdentityProvider.Factory());

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
