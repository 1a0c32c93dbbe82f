package scaling

import "github.com/plateau-lab/plateau/train"

// lastTrainLoss is the training loss logged at step, 0 if none was.
func lastTrainLoss(recs []train.Record, step int) float64 {
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Step == step && recs[i].Step > 0 {
			return recs[i].TrainLoss
		}
	}
	return 0
}
