package io.telecom.engine.console;

import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.operaton.bpm.engine.identity.Group;
import org.operaton.bpm.engine.identity.GroupQuery;
import org.operaton.bpm.engine.identity.NativeUserQuery;
import org.operaton.bpm.engine.identity.Tenant;
import org.operaton.bpm.engine.identity.TenantQuery;
import org.operaton.bpm.engine.identity.User;
import org.operaton.bpm.engine.identity.UserQuery;
import org.operaton.bpm.engine.impl.context.Context;
import org.operaton.bpm.engine.impl.identity.ReadOnlyIdentityProvider;
import org.operaton.bpm.engine.impl.interceptor.CommandContext;
import org.operaton.bpm.engine.impl.interceptor.Session;
import org.operaton.bpm.engine.impl.interceptor.SessionFactory;

/**
 * Operaton's identity service over our users (read-only): the console logs people in with the
 * accounts and roles the API already keeps, so nobody keeps a second list of passwords. It reads
 * app_user on the engine's own connection; there are a handful of console users, so queries filter
 * in memory.
 */
public class ConsoleIdentityProvider implements ReadOnlyIdentityProvider {

  /** Registered in place of the engine's database identity provider (which writes ACT_ID_*). */
  public static class Factory implements SessionFactory {
    @Override
    public Class<?> getSessionType() {
      return ReadOnlyIdentityProvider.class;
    }

    @Override
    public Session openSession() {
      return new ConsoleIdentityProvider();
    }
  }

  private List<ConsoleUsers.ConsoleUser> users;

  List<ConsoleUsers.ConsoleUser> users() {
    if (users == null) {
      Connection connection = Context.getCommandContext().getDbSqlSession().getSqlSession().getConnection();
      users = ConsoleUsers.all(connection);
    }
    return users;
  }

  Stream<Group> groupsOf(String userId) {
    return users().stream()
        .filter(u -> u.id().equals(userId))
        .map(ConsoleUsers.ConsoleUser::group)
        .flatMap(id -> ConsoleUsers.GROUPS.stream().filter(g -> g.getId().equals(id)));
  }

  @Override
  public User findUserById(String userId) {
    return users().stream().filter(u -> u.id().equals(userId)).findFirst().map(ConsoleUsers.ConsoleUser::toUser).orElse(null);
  }

  @Override
  public UserQuery createUserQuery() {
    return new ConsoleQueries.Users(Context.getProcessEngineConfiguration().getCommandExecutorTxRequired());
  }

  @Override
  public UserQuery createUserQuery(CommandContext commandContext) {
    return new ConsoleQueries.Users();
  }

  @Override
  public NativeUserQuery createNativeUserQuery() {
    throw new UnsupportedOperationException("The console's users are the platform's users: native queries are not supported");
  }

  @Override
  public boolean checkPassword(String userId, String password) {
    if (userId == null || userId.isEmpty()) return false;
    var user = users().stream().filter(u -> u.id().equals(userId)).findFirst();
    return ConsoleUsers.matches(password, user.map(ConsoleUsers.ConsoleUser::passwordHash).orElse(null));
  }

  @Override
  public Group findGroupById(String groupId) {
    return ConsoleUsers.GROUPS.stream().filter(g -> Objects.equals(g.getId(), groupId)).findFirst().orElse(null);
  }

  @Override
  public GroupQuery createGroupQuery() {
    return new ConsoleQueries.Groups(Context.getProcessEngineConfiguration().getCommandExecutorTxRequired());
  }

  @Override
  public GroupQuery createGroupQuery(CommandContext commandContext) {
    return new ConsoleQueries.Groups();
  }

  @Override
  public Tenant findTenantById(String tenantId) {
    return null;
  }

  @Override
  public TenantQuery createTenantQuery() {
    return new ConsoleQueries.Tenants(Context.getProcessEngineConfiguration().getCommandExecutorTxRequired());
  }

  @Override
  public TenantQuery createTenantQuery(CommandContext commandContext) {
    return new ConsoleQueries.Tenants();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
