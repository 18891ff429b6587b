package open311

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkMarshalRequests renders the largest answer GET requests gives (MaxResults requests),
// to size what one such call costs beyond the backend's query.
func BenchmarkMarshalRequests(b *testing.B) {
	requests := make([]Request, MaxResults)
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	for i := range requests {
		requests[i] = Request{ID: fmt.Sprintf("01JR%022d", i), Status: StatusOpen, StatusNotes: "Under arbeid",
			ServiceCode: "gatelys", ServiceName: "Gatelys", Description: "Lyset ved busstoppet har vært mørkt i en uke.",
			AgencyResponsible: "Kristiansand kommune, Park og vei", Requested: at, Updated: at.Add(time.Hour),
			Address: "Markens gate 12, Kristiansand", Lat: float(58.1467), Long: float(7.9956),
			MediaURL: "https://minside.example.no/media/abc.jpg"}
	}
	for _, f := range []Format{JSON, XML} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				body, err := MarshalRequests(f, requests)
				if err != nil {
					b.Fatal(err)
				}
				size = len(body)
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
