// Command interop-go drives the official CloudEvents Go SDK (github.com/cloudevents/sdk-go/v2) for
// trigger-broker's interop tests (test/e2e/sdk-go.test.ts). test/harness/sdk-go.sh builds it into
// the harness cache; test/interop/go-sdk.ts runs it.
//
//	interop-go send --url URL --mode binary|structured
//
// reads a JSON array of events from stdin ({id, source, type, subject, myext, data}), sends each
// with the SDK's HTTP client in that content mode, and prints one JSON line per event:
// {"id", "result": "ACK"|"NACK"|"ERROR", "status", "error"}.
//
//	interop-go receive --port P
//
// runs the SDK's HTTP receiver on 127.0.0.1:P (0 picks a free port), prints {"listening":PORT}
// once it accepts connections, then one JSON line per event with every attribute as the SDK
// exposes it. It exits on SIGTERM or SIGINT, or when its stdin closes (so it does not outlive the
// test that started it).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: interop-go send --url URL --mode binary|structured | interop-go receive --port P")
	}
	switch os.Args[1] {
	case "send":
		send(os.Args[2:])
	case "receive":
		receive(os.Args[2:])
	default:
		fail("unknown command %q (want send or receive)", os.Args[1])
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "interop-go: "+format+"\n", args...)
	os.Exit(2)
}

// printLine writes one JSON line to stdout in a single write (os.Stdout is unbuffered in Go, so
// each line reaches the reader at once).
var outMu sync.Mutex

func printLine(v any) {
	line, err := json.Marshal(v)
	if err != nil {
		fail("cannot encode output: %v", err)
	}
	outMu.Lock()
	defer outMu.Unlock()
	if _, err := os.Stdout.Write(append(line, '\n')); err != nil {
		os.Exit(3)
	}
}

type inputEvent struct {
	ID      string          `json:"id"`
	Source  string          `json:"source"`
	Type    string          `json:"type"`
	Subject *string         `json:"subject"`
	Myext   *string         `json:"myext"`
	Data    json.RawMessage `json:"data"`
}

type sendResult struct {
	ID     string `json:"id"`
	Result string `json:"result"`
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

func send(args []string) {
	flags := flag.NewFlagSet("send", flag.ExitOnError)
	url := flags.String("url", "", "where to POST the events")
	mode := flags.String("mode", "binary", "content mode: binary or structured")
	_ = flags.Parse(args)
	if *url == "" {
		fail("send: --url is required")
	}
	var events []inputEvent
	if err := json.NewDecoder(os.Stdin).Decode(&events); err != nil {
		fail("send: stdin is not a JSON array of events: %v", err)
	}

	client, err := cloudevents.NewClientHTTP()
	if err != nil {
		fail("send: cannot create the SDK's HTTP client: %v", err)
	}
	base := cloudevents.ContextWithTarget(context.Background(), *url)
	switch *mode {
	case "binary":
		base = binding.WithForceBinary(base)
	case "structured":
		base = binding.WithForceStructured(base)
	default:
		fail("send: --mode must be binary or structured, not %q", *mode)
	}

	for _, in := range events {
		event := cloudevents.NewEvent()
		event.SetID(in.ID)
		event.SetSource(in.Source)
		event.SetType(in.Type)
		if in.Subject != nil {
			event.SetSubject(*in.Subject)
		}
		if in.Myext != nil {
			event.SetExtension("myext", *in.Myext)
		}
		if len(in.Data) > 0 {
			// A value (not []byte, which the SDK takes as binary data and writes as data_base64 in
			// structured mode): the SDK marshals it as JSON, the body in binary mode and the value of
			// "data" in structured mode.
			if err := event.SetData(cloudevents.ApplicationJSON, in.Data); err != nil {
				printLine(sendResult{ID: in.ID, Result: "ERROR", Error: err.Error()})
				continue
			}
		}
		ctx, cancel := context.WithTimeout(base, 20*time.Second)
		result := client.Send(ctx, event)
		cancel()
		printLine(describeResult(in.ID, result))
	}
}

func describeResult(id string, result error) sendResult {
	out := sendResult{ID: id}
	var httpResult *cehttp.Result
	if cloudevents.ResultAs(result, &httpResult) {
		out.Status = httpResult.StatusCode
	}
	switch {
	case cloudevents.IsACK(result):
		out.Result = "ACK"
	case cloudevents.IsNACK(result):
		out.Result = "NACK"
		out.Error = result.Error()
	default:
		out.Result = "ERROR"
		out.Error = result.Error()
	}
	return out
}

// receivedEvent is an event as the SDK hands it to a receiver, plus where it came from.
type receivedEvent struct {
	Path            string         `json:"path"`
	ContentType     string         `json:"contentType"`
	SpecVersion     string         `json:"specversion"`
	ID              string         `json:"id"`
	Source          string         `json:"source"`
	Type            string         `json:"type"`
	Subject         string         `json:"subject"`
	DataContentType string         `json:"datacontenttype"`
	DataSchema      string         `json:"dataschema"`
	Time            string         `json:"time"`
	Extensions      map[string]any `json:"extensions"`
	Myext           any            `json:"myext"`
	Data            string         `json:"data"`
}

func receive(args []string) {
	flags := flag.NewFlagSet("receive", flag.ExitOnError)
	port := flags.Int("port", 0, "port to listen on at 127.0.0.1 (0: any free port)")
	_ = flags.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fail("receive: cannot listen on port %d: %v", *port, err)
	}
	client, err := cloudevents.NewClientHTTP(
		cloudevents.WithListener(listener),
		cehttp.WithRequestDataAtContextMiddleware(),
	)
	if err != nil {
		fail("receive: cannot create the SDK's HTTP client: %v", err)
	}
	// The socket already accepts connections (they wait in the backlog until the receiver serves).
	printLine(map[string]int{"listening": listener.Addr().(*net.TCPAddr).Port})

	err = client.StartReceiver(ctx, func(ctx context.Context, event cloudevents.Event) {
		out := receivedEvent{
			SpecVersion:     event.SpecVersion(),
			ID:              event.ID(),
			Source:          event.Source(),
			Type:            event.Type(),
			Subject:         event.Subject(),
			DataContentType: event.DataContentType(),
			DataSchema:      event.DataSchema(),
			Extensions:      event.Extensions(),
			Myext:           event.Extensions()["myext"],
			Data:            string(event.Data()),
		}
		if !event.Time().IsZero() {
			out.Time = event.Time().Format(time.RFC3339Nano)
		}
		if request := cehttp.RequestDataFromContext(ctx); request != nil {
			out.Path = request.URL.Path
			out.ContentType = request.Header.Get("Content-Type")
		}
		printLine(out)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		fail("receive: %v", err)
	}
}
