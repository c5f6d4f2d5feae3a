package judges

import "context"

// RoundsChanged reloads the tablets of every judge of an event after its
// rounds changed (an advancement confirmed, a round drawn): a later round's
// sheets appear, with the stations of its draw, and nobody else's.
func (s *Service) RoundsChanged(ctx context.Context, eventID int64) error {
	js, err := s.st.Judges(ctx, eventID)
	if err != nil {
		return err
	}
	for _, j := range js {
		s.hub.reload(j.ID)
		s.tellPeers(ctx, eventID, j.ID, false)
	}
	return nil
}
