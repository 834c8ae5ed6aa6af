package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tiercel/tiercel/internal/kafka"
)

// kafkaFlags are the connection flags shared by the commands that talk to
// Kafka (emulate --kafka, serve --kafka-brokers).
type kafkaFlags struct {
	brokers   string
	tls       bool
	caFile    string
	certFile  string
	keyFile   string
	mechanism string
	user      string
	password  string
}

func (f *kafkaFlags) register(fs *pflag.FlagSet, brokersFlag string) {
	fs.StringVar(&f.brokers, brokersFlag, "", "Kafka `BROKERS`, comma separated host:port")
	fs.BoolVar(&f.tls, "kafka-tls", false, "connect to Kafka over TLS")
	fs.StringVar(&f.caFile, "kafka-ca", "", "CA certificate `FILE` for Kafka TLS")
	fs.StringVar(&f.certFile, "kafka-cert", "", "client certificate `FILE` for Kafka TLS")
	fs.StringVar(&f.keyFile, "kafka-key", "", "client key `FILE` for Kafka TLS")
	fs.StringVar(&f.mechanism, "kafka-sasl", "", "SASL mechanism: "+strings.Join(kafka.Mechanisms, ", "))
	fs.StringVar(&f.user, "kafka-user", "", "SASL user")
	fs.StringVar(&f.password, "kafka-password", "", "SASL password (or TIERCEL_KAFKA_PASSWORD in the config)")
}

func (f *kafkaFlags) config() kafka.Config {
	var brokers []string
	for _, b := range strings.Split(f.brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	return kafka.Config{Brokers: brokers, TLS: f.tls, CAFile: f.caFile, CertFile: f.certFile, KeyFile: f.keyFile,
		SASLMechanism: f.mechanism, SASLUser: f.user, SASLPassword: f.password, ClientID: "tiercel"}
}

// produceTo runs write into a pipe whose lines go to topic, keyed by aid.
func (f *kafkaFlags) produceTo(ctx context.Context, env *Env, topic string, write func(io.Writer) error) error {
	if topic == "" {
		return withCode(ExitUsage, fmt.Errorf("--kafka needs --topic"))
	}
	if _, err := f.config().Options(); err != nil {
		return withCode(ExitUsage, err)
	}
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := write(pw)
		pw.CloseWithError(err)
		errc <- err
	}()
	st, err := kafka.ProduceNDJSON(ctx, f.config(), topic, pr)
	pr.CloseWithError(err)
	if werr := <-errc; err == nil {
		err = werr
	}
	if err != nil {
		return withCode(ExitError, err)
	}
	fmt.Fprintf(env.Stderr, "emulate: %d events produced to %s keyed by aid (%d without aid)\n", st.Records, topic, st.MissingAid)
	return nil
}
