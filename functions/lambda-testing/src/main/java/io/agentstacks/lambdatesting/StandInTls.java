package io.agentstacks.lambdatesting;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The stand-in's Semaphore speaks HTTPS, as Semaphore does: the Lambdas' Semaphore source sends a token over HTTPS
 * only, and a test must not switch that off. A key pair and a self-signed certificate for {@code 127.0.0.1} and
 * {@code localhost}, made once per JVM by the JDK's keytool into a temporary directory (no key is kept in the
 * repository), valid for two days; and a trust store holding only that certificate, which a Lambda's JVM is
 * given by {@link #jvmFlags()}.
 */
final class StandInTls {

    private static StandInTls instance;

    private final SSLContext serverContext;
    private final Path trustStore;
    private final String password;

    private StandInTls(SSLContext serverContext, Path trustStore, String password) {
        this.serverContext = serverContext;
        this.trustStore = trustStore;
        this.password = password;
    }

    static synchronized StandInTls get() {
        if (instance == null) {
            instance = create();
        }
        return instance;
    }

    SSLContext serverContext() {
        return serverContext;
    }

    /** The system properties that make a JVM trust the stand-in's certificate (and nothing else). */
    List<String> jvmFlags() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore.toAbsolutePath(),
                "-Djavax.net.ssl.trustStorePassword=" + password, "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    private static StandInTls create() {
        try {
            Path dir = Files.createTempDirectory("stand-in-tls");
            dir.toFile().deleteOnExit();
            Path keys = dir.resolve("stand-in.p12");
            String password = UUID.randomUUID().toString();
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "stand-in", "-keyalg", "EC", "-groupname",
                    "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                    "-keystore", keys.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password)
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool could not make the stand-in's certificate: " + output);
            }
            keys.toFile().deleteOnExit();
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keys)) {
                keyStore.load(in, password.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);

            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("stand-in", keyStore.getCertificate("stand-in"));
            Path trustStore = dir.resolve("trust.p12");
            try (OutputStream out = Files.newOutputStream(trustStore)) {
                trusted.store(out, password.toCharArray());
            }
            trustStore.toFile().deleteOnExit();
            return new StandInTls(context, trustStore, password);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stand-in's TLS could not be set up", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted making the stand-in's certificate", e);
        }
    }
}
