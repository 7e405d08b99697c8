package chaos

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// EnvReliabilityOut names a directory: when set, each run writes its
// summary there as chaos-<mode>.json.
const EnvReliabilityOut = "REGIS_RELIABILITY_OUT"

// Summary is the outcome of one chaos run.
type Summary struct {
	Mode    string   `json:"mode"` // plain or ordered
	Regions []string `json:"regions"`
	Seed    uint64   `json:"seed"` // of the stream (REGIS_CHAOS_SEED replays it)

	// The stream.
	CommandsPublished int            `json:"commands_published"` // valid commands
	MessagesPublished int            `json:"messages_published"` // valid messages
	PoisonPublished   int            `json:"poison_messages_published"`
	PoisonPercent     float64        `json:"poison_percent"` // of all messages
	PoisonByReason    map[string]int `json:"poison_published_by_reason"`
	Keys              int            `json:"keys_in_model"`
	KeysMultiWrite    int            `json:"keys_with_2_or_more_distinct_writes"`
	KeysOnce          int            `json:"keys_written_once"`
	MessagesNoOnceKey int            `json:"messages_without_a_once_key"` // messages whose loss only the ordered comparison would show

	// The faults.
	OutageRegion  string  `json:"outage_region"`
	OutageKind    string  `json:"outage_kind"` // kill (then restart from the AOF) or pause (SIGSTOP)
	OutageSeconds float64 `json:"outage_seconds"`
	Duplicates    string  `json:"duplicates"`
	Shuffle       string  `json:"shuffle"`

	// The bus.
	Settings map[string]any `json:"settings"`

	PerRegion map[string]*RegionSummary `json:"regions_detail"`

	PublishSeconds  float64 `json:"publish_seconds"`
	ConvergeSeconds float64 `json:"converge_seconds"` // from the first publish until every queue was empty
	TotalSeconds    float64 `json:"total_seconds"`    // the whole test: apply, run, checks, destroy

	Failures []string `json:"failures,omitempty"`
}

// RegionSummary is one region's outcome.
type RegionSummary struct {
	// CommandsApplied: valid commands whose message was applied (published
	// minus lost). Applications counts every application reported by the
	// consumer's CommandsApplied metric, duplicates and redeliveries
	// included; Stale those ordered mode skipped as older than the key.
	CommandsApplied      int   `json:"commands_applied"`
	CommandsApplications int64 `json:"commands_applications_incl_duplicates"`
	CommandsStale        int64 `json:"commands_stale_skipped"`
	CommandsInDLQ        int   `json:"valid_commands_in_dlq"`
	CommandsLost         int   `json:"commands_lost"`
	MessagesLost         int   `json:"messages_lost"`

	// Deliveries, from the event source mapping and the queue.
	MessagesDelivered  int64 `json:"messages_delivered_incl_duplicates"`
	DuplicatesInjected int64 `json:"duplicates_injected"`   // lost deletes
	OutOfOrderReceives int64 `json:"out_of_order_receives"` // receives that skipped an older visible message
	MessagesFailed     int64 `json:"messages_failed_redelivered"`
	FailedInvocations  int64 `json:"failed_invocations"` // whole batches failed: function error, timeout, bad response
	MessagesApplied    int64 `json:"messages_applied_metric"`
	MessagesPoisoned   int64 `json:"messages_poisoned_metric"`

	// The DLQ.
	DLQLetters     int            `json:"dlq_letters"`
	PoisonInDLQ    map[string]int `json:"poison_in_dlq_by_reason"` // distinct poison messages, by the reason attribute
	PoisonMissing  []string       `json:"poison_missing,omitempty"`
	WrongReason    []string       `json:"poison_wrong_reason,omitempty"`
	PoisonMetrics  map[string]int `json:"poison_metric_by_reason"` // MessagesPoisoned_<reason>, duplicates included
	ForeignLetters int            `json:"unknown_letters"`

	// Redis against the model.
	DivergentKeys   int `json:"divergent_keys"`
	UnexplainedKeys int `json:"divergent_keys_unexplained"`
	// KeysDifferentFromHome: keys on which this region's Redis and the
	// home region's disagree.
	KeysDifferentFromHome int      `json:"keys_different_from_home_region"`
	Examples              []string `json:"divergence_examples,omitempty"`

	AlarmState      string `json:"dlq_alarm_state"`
	AlarmFired      bool   `json:"dlq_alarm_fired"`
	AlarmBackground bool   `json:"dlq_alarm_fired_before_forced_evaluation"`
}

// WriteTable prints the summary for people.
func (s *Summary) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "\nchaos run, %s mode: %d commands in %d messages + %d poison (%.2f%%), %s outage of %s for %.0fs, %s, %s\n",
		s.Mode, s.CommandsPublished, s.MessagesPublished, s.PoisonPublished, s.PoisonPercent, s.OutageKind, s.OutageRegion, s.OutageSeconds, s.Duplicates, s.Shuffle)
	fmt.Fprintf(w, "keys: %d in the model, %d with ≥2 distinct writes, %d written once; messages without a once key: %d\n",
		s.Keys, s.KeysMultiWrite, s.KeysOnce, s.MessagesNoOnceKey)
	fmt.Fprintf(w, "time: publish %.1fs, converged after %.1fs, whole test %.1fs\n\n", s.PublishSeconds, s.ConvergeSeconds, s.TotalSeconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, f func(r *RegionSummary) any) {
		fmt.Fprintf(tw, "%s\t", name)
		for _, region := range s.Regions {
			fmt.Fprintf(tw, "%v\t", f(s.PerRegion[region]))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(tw, "\t")
	for _, region := range s.Regions {
		fmt.Fprintf(tw, "%s\t", region)
	}
	fmt.Fprintln(tw)
	row("commands applied", func(r *RegionSummary) any { return r.CommandsApplied })
	row("  applications incl. duplicates", func(r *RegionSummary) any { return r.CommandsApplications })
	row("  stale, skipped (ordered)", func(r *RegionSummary) any { return r.CommandsStale })
	row("commands lost", func(r *RegionSummary) any { return r.CommandsLost })
	row("valid commands in DLQ", func(r *RegionSummary) any { return r.CommandsInDLQ })
	row("messages delivered incl. duplicates", func(r *RegionSummary) any { return r.MessagesDelivered })
	row("  duplicates injected (lost deletes)", func(r *RegionSummary) any { return r.DuplicatesInjected })
	row("  out-of-order receives", func(r *RegionSummary) any { return r.OutOfOrderReceives })
	row("  failed, redelivered by SQS", func(r *RegionSummary) any { return r.MessagesFailed })
	row("  failed invocations (whole batch)", func(r *RegionSummary) any { return r.FailedInvocations })
	row("messages poisoned (metric, incl. duplicates)", func(r *RegionSummary) any { return r.MessagesPoisoned })
	row("DLQ letters", func(r *RegionSummary) any { return r.DLQLetters })
	for _, reason := range slices.Sorted(maps.Keys(s.PoisonByReason)) {
		row("  poison "+reason+" (published "+fmt.Sprint(s.PoisonByReason[reason])+")", func(r *RegionSummary) any { return r.PoisonInDLQ[reason] })
	}
	row("divergent keys", func(r *RegionSummary) any { return r.DivergentKeys })
	row("  not explained by reordering", func(r *RegionSummary) any { return r.UnexplainedKeys })
	row("keys different from "+s.Regions[0], func(r *RegionSummary) any { return r.KeysDifferentFromHome })
	row("DLQ alarm", func(r *RegionSummary) any {
		if r.AlarmBackground {
			return r.AlarmState + " (fired on its own)"
		}
		return r.AlarmState
	})
	_ = tw.Flush()
	if len(s.Failures) > 0 {
		fmt.Fprintf(w, "\nFAILURES:\n  %s\n", strings.Join(s.Failures, "\n  "))
	}
}

// WriteJSON writes the summary to $REGIS_RELIABILITY_OUT/chaos-<mode>.json
// when the variable is set, and returns the path ("" when not).
func (s *Summary) WriteJSON() (string, error) {
	dir := os.Getenv(EnvReliabilityOut)
	if dir == "" {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "chaos-"+s.Mode+".json")
	return path, os.WriteFile(path, append(b, '\n'), 0o644)
}
