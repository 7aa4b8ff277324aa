package store

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/relance/relance/models"
)

func TestOutboxClaimsEachMessageOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, st *Store) {
		ctx := context.Background()
		n := models.Notification{DossierID: "d1", TaskID: "d1.x.0", Recipient: "role:finance:national", Subject: "s", Body: "b"}
		require.NoError(t, st.QueueNotification(ctx, "reminder/d1.x.0", n))
		require.NoError(t, st.QueueNotification(ctx, "reminder/d1.x.0", n), "a retried activity queues it once")

		first, err := st.ClaimNotifications(ctx, 10)
		require.NoError(t, err)
		require.Len(t, first, 1)
		second, err := st.ClaimNotifications(ctx, 10)
		require.NoError(t, err)
		require.Empty(t, second, "a claimed message goes out through one dispatcher")

		for i := range MaxDeliveryAttempts {
			require.NoError(t, st.MarkNotification(ctx, first[0].ID, errors.New("relay down")))
			again, err := st.ClaimNotifications(ctx, 10)
			require.NoError(t, err)
			if i < MaxDeliveryAttempts-1 {
				require.Len(t, again, 1, "a failed delivery is tried again")
			} else {
				require.Empty(t, again, "until it is given up")
			}
		}
		list, err := st.Notifications(ctx, "d1", 0, 10)
		require.NoError(t, err)
		require.Equal(t, NotificationFailed, list[0].Status)
		require.Equal(t, MaxDeliveryAttempts, list[0].Attempts)
		require.Equal(t, "relay down", list[0].Error)
	})
}
