# language: it
@criticita @simulatore
Funzionalità: Criticità dell'ambiente di test pagoPA
  Dopo il redirect al portale pagoPA i problemi si vedono nella schermata della carta
  e nella conferma o ricezione dell'esito. L'esito arriva al proxy sempre e solo
  dall'intermediario: nessun pagamento risulta pagato senza ricevuta, nessuno è
  contato due volte, nessuno si perde se il cittadino non torna.

  Scenario: il checkout fallisce sulla schermata della carta
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il checkout pagoPA fallisce sulla schermata della carta
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    Allora il checkout mostra l'esito "ERROR"
    E il pagamento non risulta pagato
    Quando il checkout pagoPA torna a funzionare
    E il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    Allora il pagamento passa in stato COMPLETE

  Scenario: il pagamento riesce ma il cittadino non riceve l'esito
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il checkout pagoPA perde l'esito dopo la conferma
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    Allora il checkout non mostra alcun esito al cittadino
    Quando la piattaforma chiama il link di aggiornamento del pagamento
    Allora il pagamento passa in stato COMPLETE

  Scenario: la ricevuta arriva due volte all'intermediario
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il nodo pagoPA invia paSendRTV2 due volte
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    Allora il pagamento passa in stato COMPLETE
    E il proxy pubblica sul topic payments un solo evento COMPLETE per quel pagamento
    E l'intermediario ha una sola posizione debitoria per quel pagamento

  Scenario: la ricevuta non arriva mai all'intermediario
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il nodo pagoPA non invia mai paSendRTV2
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    Allora il pagamento non risulta pagato
    E il proxy non considera pagato ciò che l'intermediario non ha incassato

  Scenario: la ricevuta arriva in ritardo all'intermediario
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E il nodo pagoPA invia paSendRTV2 in ritardo
    Quando il cittadino paga online con la carta "4242 4242 4242 4242"
    E il cittadino torna all'Area Personale
    E la ricevuta arriva all'intermediario
    E la piattaforma chiama il link di aggiornamento del pagamento
    Allora il pagamento passa in stato COMPLETE
