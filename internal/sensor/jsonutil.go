package sensor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// decodeObject decodes one JSON object line, numbers kept as written.
func decodeObject(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if obj == nil {
		return nil, fmt.Errorf("JSON value is not an object")
	}
	return obj, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
