// Connects the chat to saved sessions. Until the Store lands this keeps them in memory only.
import TUI

func makeSessionPersistence() throws -> ConversationPersistence { InMemoryPersistence() }
