package serve

import (
	"fmt"
	"log/slog"

	"github.com/tiercel/tiercel/internal/alert"
	"github.com/tiercel/tiercel/internal/kafka"
)

// KafkaConfig makes this instance one member of a consumer group reading
// telemetry topics (events keyed by aid), and, with AlertTopic, a producer
// of its new alerts to a topic all members share. See docs/scale-out.md.
type KafkaConfig struct {
	Brokers       []string `yaml:"brokers"`
	Topics        []string `yaml:"topics"`
	Group         string   `yaml:"group"`
	StartAtEnd    bool     `yaml:"start_at_end"` // a new group starts at the newest records
	AlertTopic    string   `yaml:"alert_topic"`
	TLS           bool     `yaml:"tls"`
	CAFile        string   `yaml:"ca_file"`
	CertFile      string   `yaml:"cert_file"`
	KeyFile       string   `yaml:"key_file"`
	SASLMechanism string   `yaml:"sasl_mechanism"` // plain, scram-sha-256, scram-sha-512
	SASLUser      string   `yaml:"sasl_user"`
	SASLPassword  string   `yaml:"sasl_password"`
}

// AlertStoreConfig chooses the alert store: the embedded SQLite file in
// the data directory by default, or one PostgreSQL database that several
// instances share.
type AlertStoreConfig struct {
	Postgres string `yaml:"postgres"` // DSN
}

func (k KafkaConfig) client() kafka.Config {
	return kafka.Config{Brokers: k.Brokers, TLS: k.TLS, CAFile: k.CAFile, CertFile: k.CertFile, KeyFile: k.KeyFile,
		SASLMechanism: k.SASLMechanism, SASLUser: k.SASLUser, SASLPassword: k.SASLPassword, ClientID: "tiercel"}
}

// check lists what is wrong with the Kafka settings.
func (k KafkaConfig) check() []string {
	if len(k.Brokers) == 0 {
		if len(k.Topics) > 0 || k.Group != "" || k.AlertTopic != "" {
			return []string{"kafka: brokers are required (--kafka-brokers)"}
		}
		return nil
	}
	var errs []string
	if (len(k.Topics) == 0) != (k.Group == "") {
		errs = append(errs, "kafka: consuming needs both topics (--kafka-topic) and a group (--kafka-group)")
	}
	if len(k.Topics) == 0 && k.AlertTopic == "" {
		errs = append(errs, "kafka: brokers given but neither topics to consume nor an alert topic")
	}
	if _, err := k.client().Options(); err != nil {
		errs = append(errs, err.Error())
	}
	return errs
}

// kafkaAction is the name of the alert-topic action.
func (k KafkaConfig) kafkaAction() string { return "kafka:" + k.AlertTopic }

// openAlertStore opens the configured alert store.
func openAlertStore(c AlertStoreConfig, sqlitePath string) (alert.Store, error) {
	if c.Postgres != "" {
		return alert.OpenPostgres(c.Postgres)
	}
	return alert.OpenSQLite(sqlitePath)
}

// addKafka adds the consumer source and the alert-topic action.
func (s *Server) addKafka(k KafkaConfig, log *slog.Logger) (*kafka.AlertTopic, error) {
	if len(k.Brokers) == 0 {
		return nil, nil
	}
	if len(k.Topics) > 0 {
		c := &kafka.Consumer{Config: k.client(), Topics: k.Topics, Group: k.Group, StartAtEnd: k.StartAtEnd, Log: log}
		s.Sources = append(s.Sources, c)
		s.Kafka = c
	}
	if k.AlertTopic == "" {
		return nil, nil
	}
	t, err := kafka.NewAlertTopic(k.client(), k.AlertTopic)
	if err != nil {
		return nil, fmt.Errorf("kafka alert topic: %w", err)
	}
	return t, nil
}
