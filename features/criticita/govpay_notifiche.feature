# language: it
@criticita @simulatore @govpay
Funzionalità: Criticità di GovPay: notifiche all'API Ente, pagamenti anomali, formati
  GovPay non si fa interrogare: spinge ogni ricevuta al proxy con l'API Ente v2
  (PUT /ricevute) e la ritenta finché il proxy non risponde 201. La notifica però
  può perdersi o arrivare due volte, il pagamento può risultare ANOMALA (pagato due
  volte, importo diverso) e GovPay rifiuta con 406 un formato che non sa dare. Il
  proxy non perde pagamenti, non li conta due volte, non dà per pagato ciò che
  GovPay segnala come anomalo, e spiega ogni rifiuto.

  Scenario: la notifica di GovPay non arriva mai, il controllo periodico recupera il pagamento
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E GovPay perde la notifica della ricevuta al proxy
    E il cittadino ha pagato sul checkout senza tornare all'Area Personale
    Allora GovPay ha la pendenza ESEGUITA senza averla notificata al proxy
    E il pagamento non risulta ancora pagato per la piattaforma
    Quando arriva il momento del controllo periodico dello stato
    Allora il pagamento passa in stato COMPLETE
    E il proxy pubblica sul topic payments un solo evento COMPLETE per quel pagamento

  Scenario: la notifica di GovPay arriva due volte, il pagamento è contato una volta
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E GovPay notifica ogni ricevuta al proxy due volte
    E il cittadino ha pagato sul checkout senza tornare all'Area Personale
    Allora il pagamento passa in stato COMPLETE
    E il proxy ha risposto 201 a entrambe le notifiche di GovPay
    E il proxy pubblica sul topic payments un solo evento COMPLETE per quel pagamento

  Scenario: GovPay segnala il pagamento come ANOMALA, il proxy non lo dà per pagato
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    E GovPay registra il prossimo pagamento come anomalo
    E il cittadino ha pagato sul checkout senza tornare all'Area Personale
    Allora GovPay ha la pendenza ANOMALA e l'ha notificata al proxy
    E l'operatore vede sul pagamento il motivo "ANOMALA"
    E il pagamento non risulta pagato

  Scenario: GovPay rifiuta con 406 un formato dell'avviso che non sa dare
    Dato una pratica di occupazione suolo pubblico in attesa di pagamento
    Quando si chiede a GovPay l'avviso di quel pagamento con Accept "text/html"
    Allora GovPay risponde 406 con l'errore RICHIESTA 406000
    E il driver GovPay ne fa il motivo "formato non disponibile"
