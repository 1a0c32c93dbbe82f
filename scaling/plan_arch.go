package scaling

import (
	"encoding/json"
	"fmt"
)

// Archs are the model families of a plan. In a plan file they are one
// name ("lstm") or a list (["transformer", "lstm"]).
type Archs []string

// UnmarshalJSON reads a name or a list of names.
func (a *Archs) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = Archs{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("field \"arch\": want a family name or a list of them: %w", err)
	}
	*a = list
	return nil
}
