/*
 * Interop driver for the official CloudEvents Java SDK (io.cloudevents: cloudevents-core,
 * cloudevents-json-jackson, cloudevents-http-basic), run by test/interop/java-sdk.ts; compiled by
 * test/harness/sdk-java.sh with javac against the pinned jars, no build tool.
 *
 *   send --url URL --mode binary|structured [--client urlconnection|httpclient]
 *       reads a JSON array of {id, source, type, subject, myext, data} on stdin, builds each event
 *       with CloudEventBuilder and writes it with HttpMessageFactory.createWriter into a request:
 *       java.net.HttpURLConnection (default, as the SDK's basic-http example does) or
 *       java.net.http.HttpClient. Prints one JSON line per event: {"id", "status"} or, when the
 *       client refuses to send it, {"id", "error", "message"}; "headers" holds what the SDK wrote.
 *   receive --port P
 *       a com.sun.net.httpserver.HttpServer (exits when stdin closes); first line {"listening": PORT}, then one JSON line
 *       per request: the event read with HttpMessageFactory.createReaderFromMultimap
 *       ({"attributes", "extensions", "data", "headers"}) or {"error", "message"} (answered 400).
 *
 * Output is JSON with every non-ASCII character escaped, so it is the same bytes in any locale.
 */

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.message.MessageWriter;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.jackson.JsonFormat;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

public final class Interop {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();
  private static final PrintStream OUT =
      new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

  private Interop() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) options.put(args[i], args[i + 1]);
    String command = args.length > 0 ? args[0] : "";
    switch (command) {
      case "send" -> send(
          required(options, "--url"),
          required(options, "--mode"),
          options.getOrDefault("--client", "urlconnection"));
      case "receive" -> receive(Integer.parseInt(required(options, "--port")));
      default -> {
        System.err.println(
            "usage: Interop send --url URL --mode binary|structured [--client urlconnection|httpclient]"
                + " | Interop receive --port P");
        System.exit(2);
      }
    }
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) throw new IllegalArgumentException("missing " + name);
    return value;
  }

  private static synchronized void emit(Object line) {
    try {
      OUT.println(JSON.writeValueAsString(line));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- send ----

  private static void send(String url, String mode, String client) throws Exception {
    if (!mode.equals("binary") && !mode.equals("structured"))
      throw new IllegalArgumentException("--mode must be binary or structured");
    JsonNode specs = JSON.readTree(System.in.readAllBytes());
    HttpClient httpClient = client.equals("httpclient") ? HttpClient.newHttpClient() : null;
    for (JsonNode spec : (ArrayNode) specs) {
      CloudEvent event =
          CloudEventBuilder.v1()
              .withId(spec.get("id").asText())
              .withSource(URI.create(spec.get("source").asText()))
              .withType(spec.get("type").asText())
              .withSubject(spec.get("subject").asText())
              .withExtension("myext", spec.get("myext").asText())
              .withDataContentType("application/json")
              .withData(JSON.writeValueAsBytes(spec.get("data")))
              .build();
      ObjectNode line = JSON.createObjectNode();
      line.put("id", event.getId());
      ObjectNode headers = line.putObject("headers");
      try {
        int status =
            httpClient != null
                ? sendWithHttpClient(httpClient, url, mode, event, headers)
                : sendWithUrlConnection(url, mode, event, headers);
        line.put("status", status);
      } catch (Exception e) {
        line.put("error", e.getClass().getName());
        line.put("message", String.valueOf(e.getMessage()));
      }
      emit(line);
    }
  }

  private static <R> R write(MessageWriter<?, R> writer, String mode, CloudEvent event) {
    return mode.equals("binary")
        ? writer.writeBinary(event)
        : writer.writeStructured(event, JsonFormat.CONTENT_TYPE);
  }

  /** As the SDK's examples/basic-http HttpURLConnectionClient does. */
  private static int sendWithUrlConnection(
      String url, String mode, CloudEvent event, ObjectNode headers) throws Exception {
    HttpURLConnection connection = (HttpURLConnection) new URL(url).openConnection();
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(30_000);
    write(
        HttpMessageFactory.createWriter(
            (name, value) -> {
              headers.put(name, value);
              connection.setRequestProperty(name, value);
            },
            body -> {
              try (OutputStream out = connection.getOutputStream()) {
                if (body != null) out.write(body);
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            }),
        mode,
        event);
    int status = connection.getResponseCode();
    InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
    if (stream != null) stream.readAllBytes();
    connection.disconnect();
    return status;
  }

  private static int sendWithHttpClient(
      HttpClient client, String url, String mode, CloudEvent event, ObjectNode headers)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    byte[][] body = new byte[1][];
    write(
        HttpMessageFactory.createWriter(
            (name, value) -> {
              headers.put(name, value);
              request.header(name, value);
            },
            bytes -> body[0] = bytes),
        mode,
        event);
    request.POST(
        body[0] == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body[0]));
    return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  // ---- receive ----

  private static void receive(int port) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", Interop::handle);
    server.start();
    // Whoever started it keeps stdin open: when that closes (it exited, or was killed), so does
    // this, so no receiver outlives its test run.
    Thread watchdog =
        new Thread(
            () -> {
              try {
                System.in.readAllBytes();
              } catch (Exception e) {
                // closed either way
              }
              Runtime.getRuntime().halt(0);
            });
    watchdog.setDaemon(true);
    watchdog.start();
    emit(Map.of("listening", server.getAddress().getPort()));
  }

  private static void handle(HttpExchange exchange) {
    int status;
    ObjectNode line = JSON.createObjectNode();
    try {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Map<String, List<String>> requestHeaders = exchange.getRequestHeaders();
      // The ce-* headers as com.sun.net.httpserver handed them over, before the SDK saw them.
      ObjectNode seen = line.putObject("headers");
      requestHeaders.forEach(
          (name, values) -> {
            if (name.toLowerCase().startsWith("ce-")) seen.put(name.toLowerCase(), String.join(",", values));
          });
      try {
        CloudEvent event = HttpMessageFactory.createReaderFromMultimap(requestHeaders, body).toEvent();
        ObjectNode attributes = line.putObject("attributes");
        for (String name : event.getAttributeNames()) {
          Object value = event.getAttribute(name);
          if (value != null) attributes.put(name, value.toString());
        }
        ObjectNode extensions = line.putObject("extensions");
        for (String name : event.getExtensionNames()) {
          Object value = event.getExtension(name);
          if (value != null) extensions.put(name, value.toString());
        }
        if (event.getData() == null) {
          line.putNull("data");
        } else {
          byte[] data = event.getData().toBytes();
          String contentType = event.getDataContentType();
          if (contentType != null && contentType.contains("json")) line.set("data", JSON.readTree(data));
          else line.put("data", new String(data, StandardCharsets.UTF_8));
        }
        status = 200;
      } catch (Exception e) {
        line.remove(List.of("attributes", "extensions", "data"));
        line.put("error", e.getClass().getName());
        line.put("message", String.valueOf(e.getMessage()));
        status = 400;
      }
      emit(line);
      exchange.sendResponseHeaders(status, -1);
    } catch (Exception e) {
      e.printStackTrace();
    } finally {
      exchange.close();
    }
  }
}
