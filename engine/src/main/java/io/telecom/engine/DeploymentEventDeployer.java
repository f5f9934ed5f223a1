package io.telecom.engine;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.operaton.bpm.engine.impl.persistence.deploy.Deployer;
import org.operaton.bpm.engine.impl.persistence.entity.DeploymentEntity;
import org.operaton.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.operaton.bpm.engine.impl.persistence.entity.ResourceEntity;

/**
 * Records each new deployment for the read model: its process definitions (id, key, version and
 * XML, from which element names and forms are read) and its forms. Runs after the engine's own
 * deployers, in the deploying transaction; a deployment re-read into the cache records nothing.
 */
public final class DeploymentEventDeployer implements Deployer {
  @Override
  public void deploy(DeploymentEntity deployment) {
    if (!deployment.isNew()) return;
    EngineEventOutbox outbox = EngineEventOutbox.current();
    if (outbox == null) return;
    Map<String, ResourceEntity> resources = deployment.getResources();
    List<ProcessDefinitionEntity> definitions = deployment.getDeployedArtifacts(ProcessDefinitionEntity.class);
    if (definitions != null) {
      for (ProcessDefinitionEntity d : definitions) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("deploymentId", deployment.getId());
        p.put("processDefinitionId", d.getId());
        p.put("processDefinitionKey", d.getKey());
        p.put("version", d.getVersion());
        p.put("name", d.getName());
        p.put("resourceName", d.getResourceName());
        ResourceEntity resource = resources == null ? null : resources.get(d.getResourceName());
        p.put("xml", resource == null ? null : new String(resource.getBytes(), StandardCharsets.UTF_8));
        outbox.add(new EngineEventOutbox.Event("process-definition", "deploy", null, p));
      }
    }
    if (resources != null) {
      for (ResourceEntity r : resources.values()) {
        if (!r.getName().endsWith(".form")) continue;
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("deploymentId", deployment.getId());
        p.put("resourceId", r.getId());
        p.put("resourceName", r.getName());
        p.put("schema", new String(r.getBytes(), StandardCharsets.UTF_8));
        outbox.add(new EngineEventOutbox.Event("form", "deploy", null, p));
      }
    }
  }
}
