package cloudwatch

import "time"

// Shapes of the operations, named and typed as in the CloudWatch Smithy model
// (integers are int64, doubles float64, timestamps time.Time).

type Dimension struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type Metric struct {
	Namespace  string      `json:"Namespace,omitempty"`
	MetricName string      `json:"MetricName,omitempty"`
	Dimensions []Dimension `json:"Dimensions,omitempty"`
}

type MetricStat struct {
	Metric *Metric `json:"Metric,omitempty"`
	Period *int64  `json:"Period,omitempty"`
	Stat   string  `json:"Stat,omitempty"`
	Unit   string  `json:"Unit,omitempty"`
}

type MetricDataQuery struct {
	ID         string      `json:"Id"`
	MetricStat *MetricStat `json:"MetricStat,omitempty"`
	Expression string      `json:"Expression,omitempty"`
	Label      string      `json:"Label,omitempty"`
	ReturnData *bool       `json:"ReturnData,omitempty"`
	Period     *int64      `json:"Period,omitempty"`
	AccountID  string      `json:"AccountId,omitempty"`
}

type putMetricAlarmInput struct {
	AlarmName                        string            `json:"AlarmName"`
	AlarmDescription                 *string           `json:"AlarmDescription"`
	ActionsEnabled                   *bool             `json:"ActionsEnabled"`
	OKActions                        []string          `json:"OKActions"`
	AlarmActions                     []string          `json:"AlarmActions"`
	InsufficientDataActions          []string          `json:"InsufficientDataActions"`
	MetricName                       string            `json:"MetricName"`
	Namespace                        string            `json:"Namespace"`
	Statistic                        string            `json:"Statistic"`
	ExtendedStatistic                string            `json:"ExtendedStatistic"`
	Dimensions                       []Dimension       `json:"Dimensions"`
	Period                           *int64            `json:"Period"`
	Unit                             string            `json:"Unit"`
	EvaluationPeriods                *int64            `json:"EvaluationPeriods"`
	DatapointsToAlarm                *int64            `json:"DatapointsToAlarm"`
	Threshold                        *float64          `json:"Threshold"`
	ComparisonOperator               string            `json:"ComparisonOperator"`
	TreatMissingData                 string            `json:"TreatMissingData"`
	EvaluateLowSampleCountPercentile string            `json:"EvaluateLowSampleCountPercentile"`
	Metrics                          []MetricDataQuery `json:"Metrics"`
	Tags                             []Tag             `json:"Tags"`
	ThresholdMetricID                string            `json:"ThresholdMetricId"`
}

// MetricAlarm is an alarm as DescribeAlarms returns it.
type MetricAlarm struct {
	AlarmName                          string            `json:"AlarmName"`
	AlarmArn                           string            `json:"AlarmArn"`
	AlarmDescription                   *string           `json:"AlarmDescription,omitempty"`
	AlarmConfigurationUpdatedTimestamp time.Time         `json:"AlarmConfigurationUpdatedTimestamp"`
	ActionsEnabled                     bool              `json:"ActionsEnabled"`
	OKActions                          []string          `json:"OKActions"`
	AlarmActions                       []string          `json:"AlarmActions"`
	InsufficientDataActions            []string          `json:"InsufficientDataActions"`
	StateValue                         string            `json:"StateValue"`
	StateReason                        string            `json:"StateReason"`
	StateReasonData                    string            `json:"StateReasonData,omitempty"`
	StateUpdatedTimestamp              time.Time         `json:"StateUpdatedTimestamp"`
	MetricName                         string            `json:"MetricName,omitempty"`
	Namespace                          string            `json:"Namespace,omitempty"`
	Statistic                          string            `json:"Statistic,omitempty"`
	ExtendedStatistic                  string            `json:"ExtendedStatistic,omitempty"`
	Dimensions                         []Dimension       `json:"Dimensions"`
	Period                             *int64            `json:"Period,omitempty"`
	Unit                               string            `json:"Unit,omitempty"`
	EvaluationPeriods                  int64             `json:"EvaluationPeriods"`
	DatapointsToAlarm                  *int64            `json:"DatapointsToAlarm,omitempty"`
	Threshold                          *float64          `json:"Threshold,omitempty"`
	ComparisonOperator                 string            `json:"ComparisonOperator"`
	TreatMissingData                   string            `json:"TreatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile   string            `json:"EvaluateLowSampleCountPercentile,omitempty"`
	Metrics                            []MetricDataQuery `json:"Metrics,omitempty"`
	ThresholdMetricID                  string            `json:"ThresholdMetricId,omitempty"`
	StateTransitionedTimestamp         time.Time         `json:"StateTransitionedTimestamp"`
}

type describeAlarmsInput struct {
	AlarmNames          []string `json:"AlarmNames"`
	AlarmNamePrefix     string   `json:"AlarmNamePrefix"`
	AlarmTypes          []string `json:"AlarmTypes"`
	ChildrenOfAlarmName string   `json:"ChildrenOfAlarmName"`
	ParentsOfAlarmName  string   `json:"ParentsOfAlarmName"`
	StateValue          string   `json:"StateValue"`
	ActionPrefix        string   `json:"ActionPrefix"`
	MaxRecords          *int64   `json:"MaxRecords"`
	NextToken           string   `json:"NextToken"`
}

type describeAlarmsOutput struct {
	CompositeAlarms []struct{}    `json:"CompositeAlarms"`
	MetricAlarms    []MetricAlarm `json:"MetricAlarms"`
	NextToken       string        `json:"NextToken,omitempty"`
}

type describeAlarmsForMetricInput struct {
	MetricName        string      `json:"MetricName"`
	Namespace         string      `json:"Namespace"`
	Statistic         string      `json:"Statistic"`
	ExtendedStatistic string      `json:"ExtendedStatistic"`
	Dimensions        []Dimension `json:"Dimensions"`
	Period            *int64      `json:"Period"`
	Unit              string      `json:"Unit"`
}

type alarmNamesInput struct {
	AlarmNames []string `json:"AlarmNames"`
}

type describeAlarmHistoryInput struct {
	AlarmName       string    `json:"AlarmName"`
	AlarmTypes      []string  `json:"AlarmTypes"`
	HistoryItemType string    `json:"HistoryItemType"`
	StartDate       time.Time `json:"StartDate"`
	EndDate         time.Time `json:"EndDate"`
	MaxRecords      *int64    `json:"MaxRecords"`
	NextToken       string    `json:"NextToken"`
	ScanBy          string    `json:"ScanBy"`
}

type AlarmHistoryItem struct {
	AlarmName       string    `json:"AlarmName"`
	AlarmType       string    `json:"AlarmType"`
	Timestamp       time.Time `json:"Timestamp"`
	HistoryItemType string    `json:"HistoryItemType"`
	HistorySummary  string    `json:"HistorySummary"`
	HistoryData     string    `json:"HistoryData"`
}

type describeAlarmHistoryOutput struct {
	AlarmHistoryItems []AlarmHistoryItem `json:"AlarmHistoryItems"`
	NextToken         string             `json:"NextToken,omitempty"`
}

type setAlarmStateInput struct {
	AlarmName       string `json:"AlarmName"`
	StateValue      string `json:"StateValue"`
	StateReason     string `json:"StateReason"`
	StateReasonData string `json:"StateReasonData"`
}

type resourceTagsInput struct {
	ResourceARN string   `json:"ResourceARN"`
	Tags        []Tag    `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
}

type listTagsOutput struct {
	Tags []Tag `json:"Tags"`
}

type StatisticSet struct {
	SampleCount float64 `json:"SampleCount"`
	Sum         float64 `json:"Sum"`
	Minimum     float64 `json:"Minimum"`
	Maximum     float64 `json:"Maximum"`
}

type MetricDatum struct {
	MetricName        string        `json:"MetricName"`
	Dimensions        []Dimension   `json:"Dimensions"`
	Timestamp         *time.Time    `json:"Timestamp"`
	Value             *float64      `json:"Value"`
	StatisticValues   *StatisticSet `json:"StatisticValues"`
	Values            []float64     `json:"Values"`
	Counts            []float64     `json:"Counts"`
	Unit              string        `json:"Unit"`
	StorageResolution *int64        `json:"StorageResolution"`
}

type putMetricDataInput struct {
	Namespace        string        `json:"Namespace"`
	MetricData       []MetricDatum `json:"MetricData"`
	EntityMetricData []any         `json:"EntityMetricData"`
}

type getMetricStatisticsInput struct {
	Namespace          string      `json:"Namespace"`
	MetricName         string      `json:"MetricName"`
	Dimensions         []Dimension `json:"Dimensions"`
	StartTime          time.Time   `json:"StartTime"`
	EndTime            time.Time   `json:"EndTime"`
	Period             *int64      `json:"Period"`
	Statistics         []string    `json:"Statistics"`
	ExtendedStatistics []string    `json:"ExtendedStatistics"`
	Unit               string      `json:"Unit"`
}

type Datapoint struct {
	Timestamp          time.Time          `json:"Timestamp"`
	SampleCount        *float64           `json:"SampleCount,omitempty"`
	Average            *float64           `json:"Average,omitempty"`
	Sum                *float64           `json:"Sum,omitempty"`
	Minimum            *float64           `json:"Minimum,omitempty"`
	Maximum            *float64           `json:"Maximum,omitempty"`
	Unit               string             `json:"Unit,omitempty"`
	ExtendedStatistics map[string]float64 `json:"ExtendedStatistics,omitempty"`
}

type getMetricStatisticsOutput struct {
	Label      string      `json:"Label"`
	Datapoints []Datapoint `json:"Datapoints"`
}

type getMetricDataInput struct {
	MetricDataQueries []MetricDataQuery `json:"MetricDataQueries"`
	StartTime         time.Time         `json:"StartTime"`
	EndTime           time.Time         `json:"EndTime"`
	NextToken         string            `json:"NextToken"`
	ScanBy            string            `json:"ScanBy"`
	MaxDatapoints     *int64            `json:"MaxDatapoints"`
}

type MessageData struct {
	Code  string `json:"Code,omitempty"`
	Value string `json:"Value,omitempty"`
}

type MetricDataResult struct {
	ID         string        `json:"Id"`
	Label      string        `json:"Label"`
	Timestamps []time.Time   `json:"Timestamps"`
	Values     []float64     `json:"Values"`
	StatusCode string        `json:"StatusCode"`
	Messages   []MessageData `json:"Messages,omitempty"`
}

type getMetricDataOutput struct {
	MetricDataResults []MetricDataResult `json:"MetricDataResults"`
	Messages          []MessageData      `json:"Messages"`
	NextToken         string             `json:"NextToken,omitempty"`
}

type listMetricsInput struct {
	Namespace  string      `json:"Namespace"`
	MetricName string      `json:"MetricName"`
	Dimensions []Dimension `json:"Dimensions"`
	NextToken  string      `json:"NextToken"`
}

type listMetricsOutput struct {
	Metrics   []Metric `json:"Metrics"`
	NextToken string   `json:"NextToken,omitempty"`
}
