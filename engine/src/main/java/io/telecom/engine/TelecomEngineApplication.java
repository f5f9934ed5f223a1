package io.telecom.engine;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Runs Operaton for the platform: the engine, its REST API (for our workers and API only) and the
 * plugin that feeds our read model. Nothing of the business lives here; see engine/README.md.
 */
@SpringBootApplication
public class TelecomEngineApplication {
  public static void main(String[] args) {
    SpringApplication.run(TelecomEngineApplication.class, args);
  }
}
