// aws/event-ruler's side of the rule-set benchmark (bench/matcher-rule-sets.ts): one Machine with
// the first N rules of event-ruler-rules.jsonl, matched against the events of events.jsonl from
// their JSON text with Machine.rulesForJSONEvent(String), the way an application hands events to
// it. It speaks the line protocol of bench/rule-sets/line-process.ts on stdin and stdout:
//
//   java -cp <jars>:<classes> RulerBench <workload dir> <rule count>
//   -> ready | matches text -> "m <ids>" per event, then "end" | run text <seconds> -> "rate <events/s> <checksum>"
//
// Rule i is named "r<i>", so that its matches can be compared with ours and the reference by id.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.event.ruler.Machine;

public final class RulerBench {
  private RulerBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    List<String> rules = nonEmptyLines(dir.resolve("event-ruler-rules.jsonl"));
    String[] events = nonEmptyLines(dir.resolve("events.jsonl")).toArray(new String[0]);
    Machine machine = new Machine();
    for (int i = 0; i < count; i++) machine.addRule("r" + i, rules.get(i));

    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    out.println("ready");
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] words = line.split(" ");
      if (!"text".equals(words.length > 1 ? words[1] : "")) {
        throw new IllegalArgumentException("RulerBench matches JSON text only: " + line);
      }
      switch (words[0]) {
        case "matches" -> {
          for (String event : events) {
            StringBuilder ids = new StringBuilder("m");
            for (String name : machine.rulesForJSONEvent(event)) ids.append(' ').append(name, 1, name.length());
            out.println(ids);
          }
          out.println("end");
        }
        case "run" -> out.println(run(machine, events, Double.parseDouble(words[2])));
        default -> throw new IllegalArgumentException("RulerBench: unknown command " + line);
      }
      out.flush();
    }
  }

  /** Matches for `seconds`, cycling through the events, 16 between clock reads, as ours does. */
  private static String run(Machine machine, String[] events, double seconds) throws Exception {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    long done = 0;
    long sink = 0;
    long now;
    do {
      for (int i = 0; i < 16; i++) sink += machine.rulesForJSONEvent(events[(int) ((done + i) % events.length)]).size();
      done += 16;
      now = System.nanoTime();
    } while (now < deadline);
    return "rate " + (done / ((now - start) / 1e9)) + " " + sink;
  }

  private static List<String> nonEmptyLines(Path file) throws Exception {
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!line.isEmpty()) lines.add(line);
    return lines;
  }
}
